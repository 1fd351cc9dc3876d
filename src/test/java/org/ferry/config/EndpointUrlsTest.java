package org.ferry.config;

import org.ferry.config.EndpointUrls;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EndpointUrlsTest {
    @Test
    void trimmedDropsBlanksAndEveryTrailingSlash() {
        assertEquals("http://glance:9292", EndpointUrls.trimmed(" http://glance:9292// "));
        assertEquals("http://glance:9292/image", EndpointUrls.trimmed("http://glance:9292/image/"));
        assertEquals("http://glance:9292/v2", EndpointUrls.trimmed("http://glance:9292/v2"));
    }

    @Test
    void anImageEndpointLosesItsVersionSuffix() {
        assertEquals("http://glance:9292", EndpointUrls.imageApiRoot("http://glance:9292/v2/"));
        assertEquals("https://cloud/image", EndpointUrls.imageApiRoot("https://cloud/image/V2.1"));
        assertEquals("https://cloud/image", EndpointUrls.imageApiRoot("https://cloud/image"));
        assertEquals("https://cloud/v2x", EndpointUrls.imageApiRoot("https://cloud/v2x"));
    }

    @Test
    void aKeystoneAuthUrlEndsInV3() {
        assertEquals("http://ks:5000/v3", EndpointUrls.keystoneV3("http://ks:5000"));
        assertEquals("http://ks:5000/v3", EndpointUrls.keystoneV3("http://ks:5000/"));
        assertEquals("http://ks:5000/v3", EndpointUrls.keystoneV3("http://ks:5000/v3"));
    }
}
