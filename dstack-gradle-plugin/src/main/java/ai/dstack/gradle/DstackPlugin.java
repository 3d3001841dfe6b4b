package ai.dstack.gradle;

import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.file.ConfigurableFileTree;
import org.gradle.api.plugins.BasePlugin;
import org.gradle.api.provider.Provider;
import org.gradle.api.provider.ProviderFactory;

/**
 * Plugin id {@code ai.dstack}: adds the {@code dstack} extension and the tasks {@code dstackValidate} ({@code check}
 * depends on it when the project has one), {@code dstackApply} ({@code .dstack.yml}), {@code dstackStop},
 * {@code dstackLogs}, {@code dstackPs} and {@code dstackOffer}. Every {@link DstackTask} takes its connection from
 * the extension, whose values default to the Gradle properties {@code dstack.url}, {@code dstack.token},
 * {@code dstack.project}, {@code dstack.configFile} and {@code dstack.dataDirectory}.
 */
public class DstackPlugin implements Plugin<Project> {
    /** The extension's name. */
    public static final String EXTENSION = "dstack";

    @Override
    public void apply(Project project) {
        ProviderFactory providers = project.getProviders();
        DstackExtension dstack = project.getExtensions().create(EXTENSION, DstackExtension.class);
        dstack.getUrl().convention(providers.gradleProperty("dstack.url"));
        dstack.getToken().convention(providers.gradleProperty("dstack.token"));
        dstack.getProject().convention(providers.gradleProperty("dstack.project"));
        dstack.getConfigFile().convention(project.getLayout().getProjectDirectory()
                .file(providers.gradleProperty("dstack.configFile")));
        dstack.getDataDirectory().convention(project.getLayout().getProjectDirectory()
                .dir(providers.gradleProperty("dstack.dataDirectory")));

        project.getTasks().withType(DstackTask.class).configureEach(task -> {
            task.getUrl().convention(dstack.getUrl());
            task.getToken().convention(dstack.getToken());
            task.getProjectName().convention(dstack.getProject());
            task.getConfigFile().convention(dstack.getConfigFile());
            task.getDataDirectory().convention(dstack.getDataDirectory());
            task.getBaseDirectory().convention(project.getLayout().getProjectDirectory());
        });

        var validate = project.getTasks().register("dstackValidate", DstackValidate.class, task -> {
            ConfigurableFileTree tree = project.fileTree(project.getProjectDir());
            tree.include("**/.dstack.yml", "**/*.dstack.yml");
            // As dstack-build-support finds them for Maven: build outputs and hidden directories are not the user's.
            tree.exclude("**/build/**", "**/target/**", "**/node_modules/**", "**/out/**");
            tree.exclude(element -> element.isDirectory() && element.getName().startsWith("."));
            task.getConfigurationFiles().from(tree);
            task.getBaseDirectory().set(project.getLayout().getProjectDirectory());
            task.getReport().set(project.getLayout().getBuildDirectory().file("dstack/validate.txt"));
        });
        project.getPlugins().withType(BasePlugin.class, base ->
                project.getTasks().named("check").configure(check -> check.dependsOn(validate)));

        Provider<String> runName = providers.gradleProperty("dstack.runName");
        project.getTasks().register("dstackApply", DstackApply.class, task -> {
            task.getConfigurationFile().convention(project.getLayout().getProjectDirectory().file(
                    providers.gradleProperty("dstack.file").orElse(".dstack.yml")));
            task.getRunName().convention(runName);
        });
        project.getTasks().register("dstackStop", DstackStop.class, task ->
                task.getRunNames().convention(runName.map(java.util.List::of).orElse(java.util.List.of())));
        project.getTasks().register("dstackLogs", DstackLogs.class, task -> task.getRunName().convention(runName));
        project.getTasks().register("dstackPs", DstackPs.class);
        project.getTasks().register("dstackOffer", DstackOffer.class, task ->
                task.getConfigurationFile().convention(project.getLayout().getProjectDirectory()
                        .file(providers.gradleProperty("dstack.file"))));
    }
}
