/**
 * dstack's log storages: {@link ai.dstack.storage.logs.FileLogStoreProvider} (plain files, the default) and
 * {@link ai.dstack.storage.logs.CloudWatchLogStoreProvider} (AWS CloudWatch Logs, for several server replicas).
 */
package ai.dstack.storage.logs;
