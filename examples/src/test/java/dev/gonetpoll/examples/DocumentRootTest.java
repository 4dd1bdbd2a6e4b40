package dev.gonetpoll.examples;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link DocumentRoot}: which request targets reach which files, and the refusals: traversal in
 * every encoding, symbolic links out of the root, directories, special files.
 */
class DocumentRootTest {

    @TempDir
    static Path base;
    static Path www;
    static DocumentRoot root;

    /** base/secret.txt outside the root; base/www is the root (see {@link FileServerTestTree}). */
    @BeforeAll
    static void tree() throws Exception {
        www = FileServerTestTree.create(base);
        root = DocumentRoot.open(www);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/hello.txt                      | hello.txt",
            "/hello.txt?download=1           | hello.txt",
            "/hello.txt#fragment             | hello.txt",
            "//hello.txt                     | hello.txt",
            "/sub/inner.txt                  | sub/inner.txt",
            "/sub//inner.txt                 | sub/inner.txt",
            "/space%20name.txt               | space name.txt",
            "/%C3%BCn%C3%AF.txt              | ünï.txt",
            "/%252e%252e                     | %2e%2e",   // double encoding decodes once: a plain name
            "/                               | index.html",
            "/docs/                          | docs/index.html",
            "/link-inside                    | hello.txt", // a symbolic link within the root
            "http://localhost/hello.txt      | hello.txt", // absolute form
            "HTTP://localhost:8080/hello.txt?x | hello.txt",
            "http://localhost                | index.html",
            "http://localhost?x=1            | index.html",
    })
    void targetsInsideTheRootAreFound(String target, String file) throws IOException {
        DocumentRoot.Found found = assertInstanceOf(DocumentRoot.Found.class, root.lookup(target));
        assertEquals(www.resolve(file).toRealPath(), found.file());
        assertTrue(found.attributes().isRegularFile());
    }

    @Test
    void theTypeComesFromTheRequestedName() {
        assertEquals("link-inside", ((DocumentRoot.Found) root.lookup("/link-inside")).name());
        assertEquals("index.html", ((DocumentRoot.Found) root.lookup("/docs/")).name());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("dev.gonetpoll.examples.FileServerTestTree#refusedTargets")
    void refusals(String target, int status) {
        DocumentRoot.Refused refused = assertInstanceOf(DocumentRoot.Refused.class, root.lookup(target), target);
        assertEquals(status, refused.status().code(), target + ": " + refused.reason());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/docs                 | /docs/",
            "/docs?lang=en         | /docs/?lang=en",
            "//docs                | /docs/",   // never a protocol-relative //host URL
            "/sub/../docs          | ",         // (refused before any redirect)
            "/%64ocs               | /%64ocs/", // the client's own spelling is kept
            "http://localhost/docs | /docs/",
    })
    void directoriesWithoutTheirSlashAreRedirected(String target, String location) {
        if (location == null) {
            assertInstanceOf(DocumentRoot.Refused.class, root.lookup(target));
            return;
        }
        DocumentRoot.Redirect redirect = assertInstanceOf(DocumentRoot.Redirect.class, root.lookup(target), target);
        assertEquals(location, redirect.location());
    }

    @Test
    void specialFilesAre403() throws Exception {
        Path fifo = www.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available: " + new String(mkfifo.getInputStream().readAllBytes()));
        try {
            DocumentRoot.Refused refused = assertInstanceOf(DocumentRoot.Refused.class, root.lookup("/fifo"));
            assertEquals(403, refused.status().code(), refused.reason());
        } finally {
            Files.delete(fifo);
        }
    }

    @Test
    void theRootMustBeAReadableDirectory() throws IOException {
        StartupException missing = assertThrows(StartupException.class, () -> DocumentRoot.open(base.resolve("nope")));
        assertEquals("cannot serve '" + base.resolve("nope") + "': no such directory", missing.getMessage());
        StartupException file = assertThrows(StartupException.class,
                () -> DocumentRoot.open(www.resolve("hello.txt")));
        assertEquals("cannot serve '" + www.resolve("hello.txt") + "': not a directory", file.getMessage());
        assertEquals(www.toRealPath(), root.path());
    }
}
