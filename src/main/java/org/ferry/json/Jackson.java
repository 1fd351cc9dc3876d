package org.ferry.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The process's one Jackson mapper, for every layer (API bodies, catalog columns, task inputs, remote Glance answers,
 * log lines). One, because a mapper caches what it learns about each type and is safe to share once configured, and
 * because any setting Ferry gives it must hold everywhere alike. A static holder rather than an injected bean: its
 * users include classes that nothing wires (the log layout Logback creates, records' static parsers).
 * It has Jackson's defaults; a setting that only some callers want belongs on an {@code ObjectReader} or
 * {@code ObjectWriter} made from it (as the API's strict body reader is), never on the mapper itself.
 */
public final class Jackson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Jackson() {
    }
}
