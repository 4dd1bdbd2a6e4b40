package dev.gonetpoll.examples;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest
    @ValueSource(strings = {
            "/../secret.txt",
            "/..",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/.%2e/secret.txt",
            "/%2e./secret.txt",
            "/sub/../../secret.txt",
            "/sub/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/%2e%2e%2fsecret.txt",
            "/sub%2f..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/..\\secret.txt",
            "/hello.txt%00.png",
            "/./hello.txt",
            "http://localhost/../secret.txt",
            "/link-outside",                 // a symbolic link to base/secret.txt
            "/dir-link-outside/secret.txt",  // a symbolic link to base
            "/sub/",                         // a directory without index.html: no listing
            "/index-is-dir/",                // its index.html is a directory
    })
    void traversalAndOtherRefusalsAre403(String target) {
        DocumentRoot.Refused refused = assertInstanceOf(DocumentRoot.Refused.class, root.lookup(target), target);
        assertEquals(HttpResponseStatus.FORBIDDEN, refused.status(), target + ": " + refused.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/missing.txt",
            "/%252e%252e/secret.txt",  // "%2e%2e" is a file, not a directory
            "/hello.txt/",             // a file is no directory
            "/hello.txt/more",
            "/dir-link-outside/missing.txt",
            "/sub/missing/",
    })
    void missingIs404(String target) {
        DocumentRoot.Refused refused = assertInstanceOf(DocumentRoot.Refused.class, root.lookup(target), target);
        assertEquals(HttpResponseStatus.NOT_FOUND, refused.status(), target + ": " + refused.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/%", "/%2", "/%zz", "/a%g0",
            "/%c0%ae%c0%ae/secret.txt", // an overlong UTF-8 '.': not UTF-8
            "/%ff.txt",
            "*",
            "hello.txt",
            "ftp://localhost/hello.txt",
    })
    void malformedTargetsAre400(String target) {
        DocumentRoot.Refused refused = assertInstanceOf(DocumentRoot.Refused.class, root.lookup(target), target);
        assertEquals(HttpResponseStatus.BAD_REQUEST, refused.status(), target + ": " + refused.reason());
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
            assertEquals(HttpResponseStatus.FORBIDDEN, refused.status(), refused.reason());
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
