package org.ferry.catalog;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Run as its own process by {@link H2DurabilityTest}: opens an H2 file database with the URL options Ferry uses
 * (the test made its table and closed it), commits one row, says so on stdout and waits to be killed with SIGKILL. Argument: the database file path.
 */
public final class H2CommitWriter {
    private H2CommitWriter() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(Database.h2Url("jdbc:h2:file:" + args[0]))) {
            c.createStatement().execute("insert into committed values (1)"); // the test made the table

            System.out.println("committed");
            System.out.flush();
            Thread.sleep(600_000);
        }
    }
}
