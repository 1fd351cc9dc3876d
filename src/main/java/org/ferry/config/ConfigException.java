package org.ferry.config;

/** A configuration value Ferry cannot start with; the message names the section, option and value. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException badValue(String section, String option, String value, String why) {
        return new ConfigException("[" + section + "] " + option + " = " + value + ": " + why);
    }
}
