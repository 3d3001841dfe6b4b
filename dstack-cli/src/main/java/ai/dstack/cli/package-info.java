/** The {@code dstack} command's entry point, {@link ai.dstack.cli.Main}; everything else here is internal. */
package ai.dstack.cli;
