package ai.dstack.engine;

/** The engine on its embedded default: a SQLite file in the server directory. */
class SqliteEngineTest extends EngineContractTest {
    @Override
    protected String newDatabaseUrl() {
        return "jdbc:sqlite:" + dir.resolve("server").resolve("data").resolve("sqlite.db");
    }
}
