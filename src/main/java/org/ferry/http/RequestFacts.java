package org.ferry.http;

import io.undertow.util.AttachmentKey;
import org.ferry.auth.RequestContext;

/**
 * What the front handler learns about a request, kept on the exchange for whoever looks at it once the exchange has
 * completed (access log, request metrics): those run after the handler has returned.
 */
public final class RequestFacts {
    /** The matched route's path template ({@code /v2/images/{id}}): a metric label that never grows with ids. */
    public static final AttachmentKey<String> ROUTE = AttachmentKey.create(String.class);
    /** The authenticated caller, when the request was authenticated. */
    public static final AttachmentKey<RequestContext> CALLER = AttachmentKey.create(RequestContext.class);

    private RequestFacts() {
    }
}
