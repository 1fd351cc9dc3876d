package org.ferry.app;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Ferry's version: the Maven project version, written into a resource at build time (also in the jar manifest). */
public final class FerryVersion implements CommandLine.IVersionProvider {

    public static String version() {
        try (InputStream in = FerryVersion.class.getResourceAsStream("ferry-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"Ferry " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
