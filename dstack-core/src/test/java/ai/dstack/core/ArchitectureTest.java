package ai.dstack.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine's boundaries: the public seam does not lean on internals of dstack-api's client, and so on. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.dstack.core", "ai.dstack.spi");

    /**
     * Core uses no internals of dstack-api: config.yml and backend configurations are read with the public reading
     * toolkit ({@code ai.dstack.api.yaml.reading}), with the same positions and messages as {@code .dstack.yml}.
     */
    @Test
    void coreImportsNoInternalsOfDstackApi() {
        assertThat(CORE.size()).as("core's classes were found").isGreaterThan(100);
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("ai.dstack.api..internal..", "ai.dstack.client.internal..")
                .check(CORE);
    }

    /** The application layer's public seam exposes no internal type: adapters need nothing else. */
    @Test
    void thePublicSeamsDoNotDependOnInternals() {
        noClasses().that().resideInAPackage("ai.dstack.core.app").should().dependOnClassesThat()
                .resideInAPackage("ai.dstack.core.internal..").check(CORE);
    }

    /** The engine names no cloud: clouds come in through the Backend SPI ({@code ai.dstack.spi.backend}) only. */
    @Test
    void theEngineNamesNoCloud() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.dstack.backend..", "software.amazon..",
                "com.google.cloud..", "com.azure..").check(CORE);
    }
}
