package org.ferry.store.swift;

import okhttp3.Request;
import okhttp3.Response;
import org.ferry.store.RangeReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * An image in Swift read from a position to its end: one object, or the segments of a dynamic large object one after
 * the other (see {@link SwiftStore#open}). Each GET is sent when its bytes are first read, with a Range from where
 * {@link #skip} moved, so a ranged download fetches only its bytes. A read that breaks off resumes where it stopped,
 * swift_store_retry_get_count times at most (Glance's swift_retry_iter), with a new ranged GET.
 */
final class SwiftReadStream extends RangeReadStream {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftReadStream.class);

    /** One object the image is made of, and its length. */
    record Piece(String container, String object, long length) {
    }

    private final SwiftAccount account;
    private final List<Piece> pieces;
    private final int retries;
    private int retried;
    private Response response;
    private InputStream body;
    /** The piece the open body reads, and where it starts in the image. */
    private int piece;
    private long pieceStart;

    SwiftReadStream(SwiftAccount account, List<Piece> pieces, long size, int retries) {
        super(size);
        this.account = account;
        this.pieces = List.copyOf(pieces);
        this.retries = retries;
    }

    @Override
    protected int readAtPosition(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (body == null) {
                open();
            }
            Piece p = pieces.get(piece);
            long left = pieceStart + p.length() - position();
            try {
                int n = body.read(b, off, (int) Math.min(len, left));
                if (n < 0) {
                    throw new IOException("Swift ended " + p.container() + "/" + p.object() + " at byte "
                            + (position() - pieceStart) + " of " + p.length());
                }
                if (n == left) {
                    release(); // the next read opens the next piece
                }
                return n;
            } catch (IOException e) {
                release();
                if (retried >= retries) {
                    throw e;
                }
                retried++;
                LOG.info("reading {}/{} broke off at byte {} ({}); resuming ({}/{})", p.container(), p.object(),
                        position() - pieceStart, e.getMessage(), retried, retries);
            }
        }
    }

    /** GETs the piece that holds the position, from the position on. */
    private void open() throws IOException {
        piece = 0;
        pieceStart = 0;
        while (pieceStart + pieces.get(piece).length() <= position()) {
            pieceStart += pieces.get(piece).length();
            piece++;
        }
        Piece p = pieces.get(piece);
        long from = position() - pieceStart;
        Request.Builder get = new Request.Builder().url(account.url(p.container(), p.object())).get();
        if (from > 0) {
            get.header("Range", "bytes=" + from + "-");
        }
        Response r = account.send(get);
        if (r.code() != 200 && r.code() != 206) {
            try (r) {
                throw SwiftStore.answered("reading " + p.container() + "/" + p.object(), r);
            }
        }
        if (from > 0 && r.code() != 206) {
            r.close();
            throw new IOException("Swift ignored the range of " + p.container() + "/" + p.object() + " from byte "
                    + from);
        }
        response = r;
        body = r.body().byteStream();
    }

    @Override
    protected void positionMoved() {
        release(); // the next read asks for a new range
    }

    @Override
    protected void release() {
        if (response != null) {
            response.close(); // an unread rest is not drained: the connection is dropped instead
        }
        response = null;
        body = null;
    }
}
