package dev.gonetpoll.examples;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ContentTypesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "index.html      | text/html; charset=utf-8",
            "INDEX.HTM       | text/html; charset=utf-8",
            "app.min.js      | text/javascript; charset=utf-8",
            "notes.txt       | text/plain; charset=utf-8",
            "photo.JPG       | image/jpeg",
            "archive.tar.gz  | application/gzip",
            "data.bin        | application/octet-stream",
            "Makefile        | application/octet-stream",
            ".profile        | application/octet-stream",
            "trailing.       | application/octet-stream",
            "''              | application/octet-stream",
    })
    void typeFollowsTheExtension(String name, String type) {
        assertEquals(type, ContentTypes.of(name));
    }
}
