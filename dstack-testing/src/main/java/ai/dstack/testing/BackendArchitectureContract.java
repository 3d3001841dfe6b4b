package ai.dstack.testing;

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
 * internals, the storage, the server or another backend. Extend it in the backend's tests, naming its provider.
 */
public abstract class BackendArchitectureContract {
    private final Class<?> provider;
    private final String root;
    private final JavaClasses backend;

    /** {@code provider}'s package is the backend's root package ({@code ai.dstack.backend.<type>}). */
    protected BackendArchitectureContract(Class<?> provider) {
        this.provider = provider;
        this.root = provider.getPackageName();
        this.backend = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(root);
    }

    @Test
    void theBackendUsesOnlyTheBackendSpiAndThePublicModel() {
        assertThat(backend.contain(provider)).as("the backend's classes were found").isTrue();
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.dstack.core..", "ai.dstack.server..",
                "ai.dstack.storage..", "ai.dstack.cli..", "ai.dstack.client..", "ai.dstack.api..internal..",
                "ai.dstack.spi.storage..", "ai.dstack.spi.host..", "ai.dstack.spi.logs..").check(backend);
    }

    @Test
    void theBackendUsesNoOtherBackend() {
        noClasses().should().dependOnClassesThat(resideInAPackage("ai.dstack.backend..")
                .and(not(resideInAPackage(root + "..")))).check(backend);
    }
}
