package org.ferry.app;

import java.lang.management.ManagementFactory;

/**
 * The main class of the small jar that {@link RunFerryScriptTest} starts through {@code scripts/run-ferry.sh}: prints
 * what the launcher gave the JVM, then waits to be stopped (or exits at once when asked to).
 */
public final class LauncherProbe {
    private LauncherProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("conf=" + System.getProperty("probe.conf"));
        System.out.println("extra=" + System.getProperty("probe.extra"));
        System.out.println("arenas=" + System.getenv("MALLOC_ARENA_MAX"));
        System.out.println("jvm=" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        System.out.println("ready");
        System.out.flush();
        if (args.length > 0 && args[args.length - 1].equals("--exit")) {
            return;
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
