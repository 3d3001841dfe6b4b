/** The REST API over the engine (a later issue). */
package ai.dstack.server;
