package dev.gonetpoll.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directory tree the file server tests serve. Under {@code base}: {@code secret.txt} (outside
 * the root) and the root {@code www} with
 * <pre>
 * index.html             "&lt;h1&gt;home&lt;/h1&gt;\n"
 * hello.txt              "Hello, files!\n" (14 bytes)
 * empty.txt              0 bytes
 * space name.txt, ünï.txt, %2e%2e   names that need percent-encoding
 * docs/index.html        "&lt;h1&gt;docs&lt;/h1&gt;\n"
 * sub/inner.txt          "inner\n"          (sub has no index.html)
 * index-is-dir/index.html/                  (a directory named index.html)
 * link-inside       -&gt; hello.txt
 * link-outside      -&gt; ../secret.txt
 * dir-link-outside  -&gt; ..
 * </pre>
 */
final class FileServerTestTree {

    static final String SECRET = "TOP SECRET, outside the served directory";
    static final String HELLO = "Hello, files!\n";

    private FileServerTestTree() {
    }

    /** Creates the tree and returns the root. */
    static Path create(Path base) throws IOException {
        Files.writeString(base.resolve("secret.txt"), SECRET);
        Path www = Files.createDirectory(base.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<h1>home</h1>\n");
        Files.writeString(www.resolve("hello.txt"), HELLO);
        Files.createFile(www.resolve("empty.txt"));
        Files.writeString(www.resolve("space name.txt"), "space\n");
        Files.writeString(www.resolve("ünï.txt"), "unicode\n");
        Files.writeString(www.resolve("%2e%2e"), "a file named %2e%2e\n");
        Files.writeString(Files.createDirectory(www.resolve("docs")).resolve("index.html"), "<h1>docs</h1>\n");
        Files.writeString(Files.createDirectory(www.resolve("sub")).resolve("inner.txt"), "inner\n");
        Files.createDirectories(www.resolve("index-is-dir").resolve("index.html"));
        Files.createSymbolicLink(www.resolve("link-inside"), Path.of("hello.txt"));
        Files.createSymbolicLink(www.resolve("link-outside"), Path.of("..", "secret.txt"));
        Files.createSymbolicLink(www.resolve("dir-link-outside"), Path.of(".."));
        return www;
    }
}
