package org.ferry.ops;

import io.undertow.conduits.BytesReceivedStreamSourceConduit;
import io.undertow.conduits.BytesSentStreamSinkConduit;
import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The body bytes one exchange read and wrote, counted by Undertow's counting conduits wrapped around its request and
 * response channels (Undertow counts neither for HTTP/1.1 by itself). Each read or write adds to a field of this
 * object, so image data costs one addition per chunk and sendfile stays sendfile (transfers are passed down whole).
 */
final class ByteCounts {
    /** One thread at a time moves an exchange's bytes; volatile so the completion listener sees the last count. */
    private volatile long received;
    private volatile long sent;

    long received() {
        return received;
    }

    long sent() {
        return sent;
    }

    /** Wraps the exchange's channels; must run before the handler asks for them. */
    void attach(HttpServerExchange ex) {
        ex.addRequestWrapper((ConduitWrapper<StreamSourceConduit>) (factory, exchange) ->
                new Received(factory.create()));
        ex.addResponseWrapper((ConduitWrapper<StreamSinkConduit>) (factory, exchange) ->
                new BytesSentStreamSinkConduit(factory.create(), n -> sent += n));
    }

    /** Undertow's counting conduit, plus the bytes a transfer read into its through buffer and has not written. */
    private final class Received extends BytesReceivedStreamSourceConduit {
        Received(StreamSourceConduit next) {
            super(next, n -> received += n);
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            long n = super.transferTo(count, throughBuffer, target);
            received += throughBuffer.remaining();
            return n;
        }
    }
}
