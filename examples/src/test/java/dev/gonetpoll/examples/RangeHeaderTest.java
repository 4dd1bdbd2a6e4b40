package dev.gonetpoll.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link RangeHeader}: the three single-range forms, clamping, 416 cases, and what is ignored. */
class RangeHeaderTest {

    private static final long SIZE = 100;

    @ParameterizedTest(name = "{0} -> {1}-{2}")
    @CsvSource(delimiter = '|', value = {
            "bytes=0-9       | 0  | 9",
            "bytes=10-19     | 10 | 19",
            "bytes=99-99     | 99 | 99",
            "bytes=90-       | 90 | 99",
            "bytes=0-        | 0  | 99",
            "bytes=-10       | 90 | 99",
            "bytes=-100      | 0  | 99",
            "bytes=-1000     | 0  | 99",        // suffix longer than the file: all of it
            "bytes=50-1000   | 50 | 99",        // last position past the end: clamped
            "bytes=0-99999999999999999999999 | 0 | 99", // saturates instead of overflowing
            "BYTES=1-2       | 1  | 2",         // the unit is case-insensitive
            "bytes = 1-2     | 1  | 2",
            "'bytes= 1-2 ,'  | 1  | 2",         // blanks and an empty list element
    })
    void singleRangesSelectASlice(String header, long first, long last) {
        RangeHeader.Outcome outcome = RangeHeader.evaluate(header, SIZE);
        assertEquals(new RangeHeader.Slice(first, last), outcome, header);
        RangeHeader.Slice slice = (RangeHeader.Slice) outcome;
        assertEquals(last - first + 1, slice.length());
        assertEquals("bytes " + first + "-" + last + "/" + SIZE, slice.contentRange(SIZE));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "bytes=100-",       // starts at the end
            "bytes=100-200",
            "bytes=99999999999999999999999-",
            "bytes=-0",         // an empty suffix selects nothing
    })
    void rangesThatSelectNothingAreUnsatisfiable(String header) {
        assertEquals(RangeHeader.UNSATISFIABLE, RangeHeader.evaluate(header, SIZE), header);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "bytes=0-1,5-6",    // several ranges: the whole file instead of multipart/byteranges
            "bytes=0-1, 200-300",
            "bytes=5-1",        // last before first: invalid
            "bytes=",
            "bytes=,",
            "bytes=-",
            "bytes=1",
            "bytes=a-b",
            "bytes=1-b",
            "bytes=+1-2",
            "bytes=--2",
            "bytes=1 - 2",      // no blanks inside a range
            "items=0-1",        // another unit
            "0-1",
            "",
    })
    void invalidOrMultipleRangesAreIgnored(String header) {
        assertEquals(RangeHeader.IGNORED, RangeHeader.evaluate(header, SIZE), header);
    }

    @Test
    void anEmptyFileIsTheCallersCase() {
        assertThrows(IllegalArgumentException.class, () -> RangeHeader.evaluate("bytes=0-1", 0));
    }
}
