package org.ferry.data;

/** What moving an image's bytes produced: the byte count and both digests, as lower-case hex. */
public record Digests(long size, String md5, String hashAlgo, String hash) {
}
