package org.ferry.store.s3;

import org.ferry.store.S3StoreOptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Builds the AWS SDK client an s3 store talks through, set up as measured in docs/s3-client-choice.md: checksums only
 * where S3 requires them and no aws-chunked bodies (radosgw 16 refuses the SDK's default trailing checksums, and
 * chunk signing cost a quarter of the upload rate), path-style or virtual-hosted addressing as Glance chooses.
 */
final class S3Clients {
    private static final Pattern DNS_BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");

    private S3Clients() {
    }

    static S3Client build(S3StoreOptions o) {
        URI endpoint = URI.create(o.endpoint());
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .maxConnections(o.threadPools() + 8)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(120));
        if (!o.cacert().isEmpty()) {
            TrustManagerFactory trust = trustOnly(Path.of(o.cacert()));
            http.tlsTrustManagersProvider(trust::getTrustManagers);
        }
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(o.regionName().isEmpty() ? "us-east-1" : o.regionName()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(o.accessKey(), o.secretKey())))
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(pathStyle(o.bucketUrlFormat(), endpoint.getHost(), o.bucket()))
                        .chunkedEncodingEnabled(false)
                        .build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(http)
                .build();
    }

    /**
     * {@code path} and {@code virtual} as configured; {@code auto} (boto's choice) is virtual-hosted when the bucket
     * can be a DNS label and the endpoint is a DNS name, path-style otherwise (an IP address, localhost).
     */
    static boolean pathStyle(String format, String host, String bucket) {
        return switch (format) {
            case "path" -> true;
            case "virtual" -> false;
            default -> !DNS_BUCKET.matcher(bucket).matches() || host == null || host.equals("localhost")
                    || looksLikeIp(host);
        };
    }

    private static boolean looksLikeIp(String host) {
        if (host.startsWith("[") || host.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            return true;
        }
        try {
            return InetAddress.getByName(host).getHostAddress().equals(host);
        } catch (IOException e) {
            return false;
        }
    }

    /** A trust manager that trusts exactly the certificates of a PEM bundle (s3_store_cacert). */
    private static TrustManagerFactory trustOnly(Path bundle) {
        try (InputStream in = Files.newInputStream(bundle)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("s3_store_cacert " + bundle + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3_store_cacert " + bundle, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("s3_store_cacert " + bundle + ": " + e.getMessage(), e);
        }
    }
}
