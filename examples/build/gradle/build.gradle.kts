// The Gradle plugin: `gradle check` validates the project's .dstack.yml files (dstackValidate, cacheable),
// `gradle hello` runs hello.dstack.yml and streams its output, `gradle dstackPs` lists the runs.
// Not run by the tests (no Gradle distribution can be downloaded where they run): DstackPluginTest checks that
// every task type and setting named here exists (ExampleBuildScriptTest).
plugins {
    base
    id("ai.dstack") version "0.1.0-SNAPSHOT"
}

dstack {
    // Unset, the default project of ~/.dstack/config.yml; or -Pdstack.url=... -Pdstack.token=...
    url = providers.environmentVariable("DSTACK_SERVER_URL")
    token = providers.environmentVariable("DSTACK_TOKEN")
    project = "main"
}

tasks.register<ai.dstack.gradle.DstackApply>("hello") {
    configurationFile = file("hello.dstack.yml")
}

tasks.register<ai.dstack.gradle.DstackApply>("train") {
    configurationFile = file("train.dstack.yml")
    detach = true
}
