/**
 * dstack's encryption of stored secrets ({@code enc:<type>:<name>:<payload>}): keys, the codec, and a state store
 * that encrypts users' tokens, projects' SSH private keys, secrets and backend credentials on their way to the
 * database and decrypts them on the way back.
 */
package ai.dstack.core.internal.crypto;
