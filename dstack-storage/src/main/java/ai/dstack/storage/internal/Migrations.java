package ai.dstack.storage.internal;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Flyway over {@code db/migration/common}: one set of scripts for both dialects, with the column types that differ
 * filled in from {@link Dialect#columnTypes()}.
 */
final class Migrations {
    private Migrations() {}

    static void run(DataSource dataSource, Dialect dialect) {
        Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration/common")
                .placeholders(dialect.columnTypes())
                .load()
                .migrate();
    }
}
