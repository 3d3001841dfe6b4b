/** The AWS backend (a later issue). */
package ai.dstack.backend.aws;
