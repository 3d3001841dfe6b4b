/** Projects: their owners, members and configured backends. */
package ai.dstack.api.project;
