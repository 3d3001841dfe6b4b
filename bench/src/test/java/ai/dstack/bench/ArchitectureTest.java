package ai.dstack.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** What users copy from here uses the public API only. */
class ArchitectureTest {
    @Test
    void nothingInternalOfTheEngineOrTheServerIsUsed() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("ai.dstack.bench");
        assertThat(classes.size()).as("the classes were found").isPositive();
        noClasses().should().dependOnClassesThat().resideInAnyPackage("ai.dstack.core.internal..",
                "ai.dstack.server.internal..", "ai.dstack.api..internal..", "ai.dstack.client.internal..").check(classes);
    }
}
