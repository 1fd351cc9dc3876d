package org.ferry.api;

import org.ferry.api.ByteRange;
import org.ferry.http.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Range / legacy Content-Range parsing of GET /file (Glance's get_range_from_request on WebOb). */
class ByteRangeTest {
    private static final long SIZE = 100;

    private static ByteRange parse(String range) {
        return ByteRange.parse(range, null, SIZE);
    }

    @Test
    void noHeaderMeansTheWholeImage() {
        assertNull(ByteRange.parse(null, null, SIZE));
    }

    @Test
    void closedRange() {
        ByteRange r = parse("bytes=10-19");
        assertEquals(new ByteRange(10, 19), r);
        assertEquals(10, r.length());
        assertEquals(new ByteRange(0, 0), parse("bytes=0-0"));
        assertEquals(new ByteRange(99, 99), parse("bytes=99-99"));
    }

    @Test
    void anEndPastTheImageIsClampedToTheLastByte() {
        assertEquals(new ByteRange(90, 99), parse("bytes=90-1000"));
    }

    @Test
    void openEndedRange() {
        assertEquals(new ByteRange(10, 99), parse("bytes=10-"));
        assertEquals(new ByteRange(0, 99), parse("bytes=0-"));
    }

    @Test
    void suffixRange() {
        assertEquals(new ByteRange(90, 99), parse("bytes=-10"));
        assertEquals(new ByteRange(0, 99), parse("bytes=-100"));
        assertEquals(new ByteRange(0, 99), parse("bytes=-5000"));
    }

    @Test
    void severalRangesAre400() {
        ApiException e = assertThrows(ApiException.class, () -> parse("bytes=0-1,5-9"));
        assertEquals(400, e.status());
        assertEquals(400, assertThrows(ApiException.class, () -> parse("bytes=-1, 3-")).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=100-", "bytes=100-200", "bytes=1000-1001"})
    void aStartAtOrPastTheEndIs416(String range) {
        ApiException e = assertThrows(ApiException.class, () -> parse(range));
        assertEquals(416, e.status());
        assertEquals("bytes */100", e.headers().get("Content-Range"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "bytes=", "bytes=-", "bytes=abc", "bytes=a-b", "bytes=5", "bytes=9-3",
            "bytes=-0", "items=0-5", "bytes=1.5-3", "bytes=0x1-3"})
    void unparsableRangesAre416(String range) {
        assertEquals(416, assertThrows(ApiException.class, () -> parse(range)).status());
    }

    @Test
    void legacyContentRangeRequestHeaderIsHonoured() {
        assertEquals(new ByteRange(10, 19), ByteRange.parse(null, "bytes 10-19/100", SIZE));
        assertEquals(new ByteRange(10, 19), ByteRange.parse(null, "bytes 10-19/*", SIZE));
        assertEquals(new ByteRange(50, 99), ByteRange.parse(null, "bytes 50-200/300", SIZE));
    }

    @Test
    void theRangeHeaderWinsOverTheLegacyOne() {
        assertEquals(new ByteRange(0, 4), ByteRange.parse("bytes=0-4", "bytes 10-19/100", SIZE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10-19/100", "bytes=10-19", "bytes 100-109/200", "bytes x-y/100"})
    void badLegacyContentRangeIs416(String header) {
        assertEquals(416, assertThrows(ApiException.class, () -> ByteRange.parse(null, header, SIZE)).status());
    }

    @Test
    void anEmptyImageHasNoSatisfiableRange() {
        assertEquals(416, assertThrows(ApiException.class, () -> ByteRange.parse("bytes=0-", null, 0)).status());
        assertEquals(416, assertThrows(ApiException.class, () -> ByteRange.parse("bytes=-1", null, 0)).status());
    }
}
