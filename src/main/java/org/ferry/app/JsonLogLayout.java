package org.ferry.app;

import org.ferry.json.Jackson;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code [DEFAULT] use_json}: one JSON object per line, flat, with the fields a log shipper indexes on (logback's
 * own JsonEncoder nests the MDC and writes the time as epoch milliseconds): time, level, logger, thread, message,
 * request_id and exception (the stack trace as text), the last two null when absent.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
    private static final ObjectMapper MAPPER = Jackson.MAPPER;

    @Override
    public String doLayout(ILoggingEvent event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        line.put("level", event.getLevel().toString());
        line.put("logger", event.getLoggerName());
        line.put("thread", event.getThreadName());
        line.put("message", event.getFormattedMessage());
        line.put("request_id", event.getMDCPropertyMap().get("request_id"));
        IThrowableProxy thrown = event.getThrowableProxy();
        line.put("exception", thrown == null ? null : ThrowableProxyUtil.asString(thrown));
        try {
            return MAPPER.writeValueAsString(line) + CoreConstants.LINE_SEPARATOR;
        } catch (JsonProcessingException e) {
            return "{\"level\":\"ERROR\",\"message\":\"unprintable log event\"}" + CoreConstants.LINE_SEPARATOR;
        }
    }
}
