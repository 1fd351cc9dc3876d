package org.ferry.store;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocationUrlsTest {
    @ParameterizedTest
    @CsvSource({
            "s3://AK:SK@host:7480/bucket/key, s3://***@host:7480/bucket/key",
            "s3+https://AK:se/cr@t@s3.example.com/b/k, s3+https://***@s3.example.com/b/k",
            "swift+https://tenant%3Auser:key@auth.example.com/v3/c/o, swift+https://***@auth.example.com/v3/c/o",
            "http://user:pw@web.example.com/image.raw, http://***@web.example.com/image.raw",
            "s3://host/bucket/key, s3://host/bucket/key",
            "rbd://fsid/pool/image/snap, rbd://fsid/pool/image/snap",
            "file:///var/lib/ferry/images/x, file:///var/lib/ferry/images/x",
            "http://user@web.example.com/x, http://user@web.example.com/x",
            "s3://***@host/b/k, s3://***@host/b/k",
            "not a url, not a url"
    })
    void hidesThePasswordPartOfALocation(String url, String shown) {
        assertEquals(shown, LocationUrls.shown(url));
    }
}
