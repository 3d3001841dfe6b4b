/** Users: accounts, their roles, permissions and credentials. */
package ai.dstack.api.user;
