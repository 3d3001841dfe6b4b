package ai.dstack.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The CLI uses the engine, the server and the client through their public API only. */
class ArchitectureTest {
    private static final JavaClasses CLI = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.dstack.cli");

    @Test
    void theCliImportsNothingInternalOfTheEngineOrTheServer() {
        assertThat(CLI.size()).as("the CLI's classes were found").isGreaterThan(20);
        noClasses().that().resideInAPackage("ai.dstack.cli..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.dstack.core.internal..", "ai.dstack.server.internal..")
                .check(CLI);
    }

    /** Nor dstack-api's internals: the CLI is a client like any other (uploads use the public TarWriter). */
    @Test
    void theCliImportsNoInternalsOfDstackApi() {
        noClasses().that().resideInAPackage("ai.dstack.cli..").should().dependOnClassesThat()
                .resideInAnyPackage("ai.dstack.api..internal..", "ai.dstack.client.internal..")
                .check(CLI);
    }
}
