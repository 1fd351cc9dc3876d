package org.ferry.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;

/** The catalog database: a pooled connection, migrated by Flyway at start-up, used through JDBI. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens and migrates. {@code url} is a JDBC URL; H2 gets the options that make it behave like PostgreSQL. */
    public static Database open(String url, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url.startsWith("jdbc:h2:") ? h2Url(url) : url);
        hc.setMaximumPoolSize(poolSize);
        hc.setPoolName("ferry-catalog");
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds);
    }

    static String h2Url(String url) {
        StringBuilder sb = new StringBuilder(url);
        // WRITE_DELAY=0: a commit reaches the file before it returns. H2's default writes commits up to a second
        // later, and a Ferry killed in that second lost them: of three inserts committed and then killed, one was
        // gone after the restart (an import's job, while its task was kept). It costs about 0.6 ms per commit
        // instead of 0.16 ms (2000 single-row commits, measured on this machine).
        for (String opt : new String[] {"MODE=PostgreSQL", "DATABASE_TO_LOWER=TRUE", "DEFAULT_NULL_ORDERING=HIGH",
                "NON_KEYWORDS=VALUE", "WRITE_DELAY=0"}) {
            if (!url.toUpperCase().contains(opt.substring(0, opt.indexOf('=') + 1))) {
                sb.append(';').append(opt);
            }
        }
        return sb.toString();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean isPostgres() {
        return dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
