package dev.gonetpoll.examples;

import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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

    /** Request targets the tree refuses, with the status: traversal in every spelling, and more. */
    static Stream<Arguments> refusedTargets() {
        return Stream.of(
                // traversal, in every spelling: 403 whatever the file system holds
                Arguments.of("/../secret.txt", 403),
                Arguments.of("/..", 403),
                Arguments.of("/%2e%2e/secret.txt", 403),
                Arguments.of("/%2E%2E/secret.txt", 403),
                Arguments.of("/.%2e/secret.txt", 403),
                Arguments.of("/%2e./secret.txt", 403),
                Arguments.of("/sub/../../secret.txt", 403),
                Arguments.of("/sub/%2e%2e/%2e%2e/secret.txt", 403),
                Arguments.of("/..%2fsecret.txt", 403),
                Arguments.of("/%2e%2e%2fsecret.txt", 403),
                Arguments.of("/sub%2f..%2f..%2fsecret.txt", 403),
                Arguments.of("/..%5csecret.txt", 403),
                Arguments.of("/..\\secret.txt", 403),
                Arguments.of("/hello.txt%00.png", 403),
                Arguments.of("/./hello.txt", 403),
                Arguments.of("http://localhost/../secret.txt", 403),
                Arguments.of("/link-outside", 403), // a symbolic link to base/secret.txt
                Arguments.of("/dir-link-outside/secret.txt", 403), // a symbolic link to base
                Arguments.of("/sub/", 403), // a directory without index.html: no listing
                Arguments.of("/index-is-dir/", 403), // its index.html is a directory
                // nothing there
                Arguments.of("/missing.txt", 404),
                Arguments.of("/%252e%252e/secret.txt", 404), // "%2e%2e" is a file, not a directory
                Arguments.of("/hello.txt/", 404), // a file is no directory
                Arguments.of("/hello.txt/more", 404),
                Arguments.of("/dir-link-outside/missing.txt", 404),
                Arguments.of("/sub/missing/", 404),
                // not a path, or not decodable
                Arguments.of("/%", 400),
                Arguments.of("/%2", 400),
                Arguments.of("/%zz", 400),
                Arguments.of("/a%g0", 400),
                Arguments.of("/%c0%ae%c0%ae/secret.txt", 400), // an overlong UTF-8 '.': not UTF-8
                Arguments.of("/%ff.txt", 400),
                Arguments.of("*", 400),
                Arguments.of("hello.txt", 400),
                Arguments.of("ftp://localhost/hello.txt", 400));
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
