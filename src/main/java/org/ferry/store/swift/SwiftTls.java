package org.ferry.store.swift;

import okhttp3.OkHttpClient;
import org.ferry.config.ConfigException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * The HTTP client a swift store talks through: the shared one, with longer timeouts (a segment's last bytes may take
 * Swift a while to fsync), trusting swift_store_cacert instead of the JVM's trust store when it is set, or any
 * server with swift_store_auth_insecure (as Glance: also for Keystone).
 */
final class SwiftTls {
    private SwiftTls() {
    }

    static OkHttpClient client(OkHttpClient shared, String cacert, boolean insecure) {
        OkHttpClient.Builder b = shared.newBuilder().readTimeout(Duration.ofSeconds(120))
                .writeTimeout(Duration.ofSeconds(120));
        try {
            if (insecure) {
                X509TrustManager any = new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                };
                b.sslSocketFactory(context(any).getSocketFactory(), any).hostnameVerifier((host, session) -> true);
            } else if (!cacert.isEmpty()) {
                X509TrustManager trust = trusting(Path.of(cacert));
                b.sslSocketFactory(context(trust).getSocketFactory(), trust);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("swift_store_cacert " + cacert + " cannot be used: " + e.getMessage());
        }
        return b.build();
    }

    private static SSLContext context(X509TrustManager trust) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trust}, null);
        return ctx;
    }

    private static X509TrustManager trusting(Path bundle) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int n = 0;
        try (InputStream in = Files.newInputStream(bundle)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + n++, c);
            }
        }
        if (n == 0) {
            throw new GeneralSecurityException("no certificate in " + bundle);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }
}
