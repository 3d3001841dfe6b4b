/** The orchestration engine and its extension points (a later issue). */
package ai.dstack.core;
