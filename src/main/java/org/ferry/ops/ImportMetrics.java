package org.ferry.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.ferry.flow.ImportObserver;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Import metrics: {@code ferry_imports_seconds} (a histogram; its count is the number of imports) and
 * {@code ferry_import_data_bytes_total} by method and outcome, and {@code ferry_imports_in_progress} by method.
 */
public final class ImportMetrics implements ImportObserver {
    private static final Duration[] BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
        Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(3)};

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> inProgress = new ConcurrentHashMap<>();

    /** @param methods the import methods whose gauge shows 0 before their first import */
    public ImportMetrics(MeterRegistry registry, Collection<String> methods) {
        this.registry = registry;
        methods.forEach(this::inProgress);
    }

    @Override
    public void started(String method) {
        inProgress(method).incrementAndGet();
    }

    @Override
    public void finished(String method, boolean succeeded, long bytes, Duration took) {
        inProgress(method).decrementAndGet();
        String outcome = succeeded ? "success" : "failure";
        Timer.builder("ferry.imports").description("Imports by method and outcome, and how long they took")
                .tags("method", method, "outcome", outcome).serviceLevelObjectives(BUCKETS)
                .register(registry).record(took);
        Counter.builder("ferry.import.data").description("Image data imports moved (downloaded, staged or copied)")
                .baseUnit("bytes").tags("method", method, "outcome", outcome).register(registry).increment(bytes);
    }

    private AtomicInteger inProgress(String method) {
        return inProgress.computeIfAbsent(method, m -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("ferry.imports.in.progress", n, AtomicInteger::get).description("Imports running now")
                    .tag("method", m).register(registry);
            return n;
        });
    }
}
