package dev.gonetpoll.examples;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.File;

/**
 * What the file server answers to one request: a status, the headers that describe the content
 * ({@code Content-Length} included), and the content itself. Connection management headers
 * ({@code Connection}, {@code Date}) are added by {@link FileServerHandler}, which writes it.
 *
 * @param status  the response status
 * @param headers the response headers
 * @param content what follows the headers
 */
record FileReply(HttpResponseStatus status, HttpHeaders headers, Content content) {

    /** The bytes after the headers. */
    sealed interface Content permits Empty, Text, FileSlice {
    }

    /** No bytes: 304, or any answer to HEAD (whose headers still give the length a GET would get). */
    record Empty() implements Content {
    }

    /** A short UTF-8 text, for answers other than a file. */
    record Text(String text) implements Content {
    }

    /**
     * {@code length} bytes of {@code file} from {@code position}. The file is not opened here: it is
     * opened when its bytes are sent, and closed when they are sent or the connection fails.
     */
    record FileSlice(File file, long position, long length) implements Content {
    }

    static final Empty EMPTY = new Empty();

    /** The same reply without content, as HEAD gets it. */
    FileReply withoutContent() {
        return new FileReply(status, headers, EMPTY);
    }
}
