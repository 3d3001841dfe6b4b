package ai.dstack.backend.azure;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * A backend sees the engine only through the Backend SPI and dstack-api's public model: nothing of the engine's
 * internals, the storage, the server or another backend.
 */
class ArchitectureTest {
    private static final JavaClasses BACKEND = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("ai.dstack.backend.azure");

    @Test
    void theBackendUsesOnlyTheBackendSpiAndThePublicModel() {
        assertThat(BACKEND.contain(AzureBackendProvider.class)).as("the backend's classes were found").isTrue();
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.dstack.core..", "ai.dstack.server..",
                "ai.dstack.storage..", "ai.dstack.cli..", "ai.dstack.client..", "ai.dstack.api..internal..",
                "ai.dstack.spi.storage..", "ai.dstack.spi.host..", "ai.dstack.spi.logs..").check(BACKEND);
    }

    @Test
    void theBackendUsesNoOtherBackend() {
        noClasses().should().dependOnClassesThat(resideInAPackage("ai.dstack.backend..")
                .and(not(resideInAPackage("ai.dstack.backend.azure..")))).check(BACKEND);
    }
}
