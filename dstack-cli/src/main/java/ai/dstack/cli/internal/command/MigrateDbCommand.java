package ai.dstack.cli.internal.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dstack server migrate-db --from SQLITE_FILE --to POSTGRES_URL}: moves a server's state from SQLite to an
 * empty PostgreSQL database (stop the server first). With {@code --schema-only}, only creates the schema, for a copy
 * made with pgloader.
 */
@Command(name = "migrate-db",
        description = "Copy the server's state from a SQLite file into an empty PostgreSQL database. Stop the server first.")
public final class MigrateDbCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--from", paramLabel = "SQLITE_FILE",
            description = "The SQLite database, e.g. ~/.dstack/server/data/sqlite.db (a path or a sqlite URL).")
    private String from;

    @Option(names = "--to", paramLabel = "POSTGRES_URL", required = true,
            description = "The PostgreSQL database, e.g. postgresql+asyncpg://user:password@host:5432/dstack; it must be empty.")
    private String to;

    @Option(names = "--schema-only", description = "Only create the schema in the target (for a copy with pgloader).")
    private boolean schemaOnly;

    @Override
    public Integer call() {
        return FullDistribution.require(() -> ServerProcess.migrateDb(spec.commandLine().getOut(), from, to, schemaOnly));
    }
}
