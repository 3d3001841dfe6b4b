package ai.dstack.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.server.boundary.ReachesIntoTheEngine;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The server is an adapter over the engine's public seams ({@code ai.dstack.core.app} and the like): it reaches
 * nothing under {@code ai.dstack.core.internal}, nor dstack-api's internals. (It reads database URLs with
 * dstack-storage's {@code DatabaseUrl}, the one module it wires that has no public seam for it yet.)
 */
class ArchitectureTest {
    static final ArchRule SERVER_USES_PUBLIC_SEAMS_ONLY = noClasses().that().resideInAPackage("ai.dstack.server..")
            .should().dependOnClassesThat().resideInAnyPackage("ai.dstack.core.internal..", "ai.dstack.api..internal..",
                    "ai.dstack.client.internal..")
            .because("the server adapts HTTP to the application layer and must not bypass its permission checks");

    @Test
    void theServerImportsNothingInternalOfOtherModules() {
        JavaClasses server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("ai.dstack.server");
        assertThat(server.size()).as("the server's classes were found").isGreaterThan(30);
        SERVER_USES_PUBLIC_SEAMS_ONLY.check(server);
    }

    @Test
    void theRuleSeesAServerClassThatReachesIntoTheEngine() {
        JavaClasses bad = new ClassFileImporter().importClasses(ReachesIntoTheEngine.class);
        assertThat(SERVER_USES_PUBLIC_SEAMS_ONLY.evaluate(bad).hasViolation()).isTrue();
    }
}
