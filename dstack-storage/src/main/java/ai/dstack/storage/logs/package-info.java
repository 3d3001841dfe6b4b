/** dstack's log storages: {@link ai.dstack.storage.logs.FileLogStoreProvider} (plain files, the default). */
package ai.dstack.storage.logs;
