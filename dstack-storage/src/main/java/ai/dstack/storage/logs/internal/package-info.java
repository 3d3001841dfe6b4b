/** The log stores' machinery (files, CloudWatch Logs). No compatibility guarantees. */
package ai.dstack.storage.logs.internal;
