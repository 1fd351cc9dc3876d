package org.ferry.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/** Glance's hash algorithm names (hashlib's, as in hashing_algorithm and os_hash_algo) and the JVM's. */
public final class HashAlgorithms {
    private HashAlgorithms() {
    }

    /** The JVM's MessageDigest name of a hashlib name, if the JVM has the algorithm. */
    public static Optional<String> javaName(String hashlibName) {
        String n = hashlibName.toLowerCase(Locale.ROOT);
        String java = switch (n) {
            case "md5" -> "MD5";
            case "sha1" -> "SHA-1";
            case "sha224", "sha256", "sha384", "sha512" -> "SHA-" + n.substring(3);
            case "sha3_224", "sha3_256", "sha3_384", "sha3_512" -> "SHA3-" + n.substring(5);
            default -> null;
        };
        if (java == null) {
            return Optional.empty();
        }
        try {
            MessageDigest.getInstance(java);
            return Optional.of(java);
        } catch (NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }
}
