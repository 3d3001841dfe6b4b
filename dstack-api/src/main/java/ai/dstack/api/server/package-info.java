/** What a dstack server says about itself. */
package ai.dstack.api.server;
