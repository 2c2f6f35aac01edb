using System.CommandLine;
using FormerSearch.Engine;
using FormerSearch.Training;

namespace FormerSearch.Cli.Tests;

/// <summary>
/// How <see cref="CommandRunner"/> turns failures into exit codes and one line on stderr: commands whose action throws
/// each kind of exception, run in process.
/// </summary>
public sealed class CommandRunnerTests
{
    private static (int ExitCode, string[] Lines, string Text) Run(Exception? thrown, params string[] args)
    {
        var root = new RootCommand("test");
        var command = new Command("act", "Throws what the test gives it.");
        command.SetAction(_ => thrown is null ? ExitCodes.Success : throw thrown);
        root.Subcommands.Add(command);
        var error = new StringWriter();
        int code = CommandRunner.Run(root, ["act", .. args], error);
        string text = error.ToString();
        return (code, text.Split('\n', StringSplitOptions.RemoveEmptyEntries), text);
    }

    [Fact]
    public void Bad_input_is_exit_2_with_its_sentence()
    {
        var (code, lines, _) = Run(new UserInputException("--space 'x' is unknown: use autoformer, burger or glit."));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal(["former: --space 'x' is unknown: use autoformer, burger or glit."], lines);
    }

    [Fact]
    public void An_internal_error_is_exit_70_with_one_line_asking_for_a_report_and_no_trace()
    {
        // An engine precondition firing (an out-of-range Narrow) is a bug, not the user's input.
        var (code, lines, text) = Run(new ArgumentOutOfRangeException("length", "Narrow(1, 3, 5) is outside a dimension of 4."));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Equal(70, code);
        var line = Assert.Single(lines);
        Assert.StartsWith("former: internal error (ArgumentOutOfRangeException: Narrow(1, 3, 5) is outside a dimension of 4.", line);
        Assert.Contains("please report it", line);
        Assert.Contains("--verbose", line);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_to_an_internal_error()
    {
        var (code, lines, text) = Run(new InvalidOperationException("The pool returned a buffer twice."), "--verbose");
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.StartsWith("former: internal error (InvalidOperationException: The pool returned a buffer twice.)", lines[0]);
        Assert.Contains("System.InvalidOperationException: The pool returned a buffer twice.", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("   at ", StringComparison.Ordinal) && l.Contains(nameof(CommandRunnerTests), StringComparison.Ordinal));
    }

    [Fact]
    public void A_multi_line_message_is_one_line()
    {
        var (code, lines, _) = Run(new NullReferenceException("first\nsecond\r\nthird"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Contains("(NullReferenceException: first second third)", Assert.Single(lines));
    }

    [Fact]
    public void A_diverged_run_and_an_io_failure_mid_run_are_exit_1_with_their_message()
    {
        var diverged = Run(new TrainingDivergedException(step: 7, epoch: 0, loss: float.NaN));
        Assert.Equal(ExitCodes.Failure, diverged.ExitCode);
        Assert.StartsWith("former: Training diverged at step 7", Assert.Single(diverged.Lines));

        var full = Run(new IOException("No space left on device : '/runs/x/checkpoint.safetensors.tmp'"));
        Assert.Equal(ExitCodes.Failure, full.ExitCode);
        Assert.Equal(["former: No space left on device : '/runs/x/checkpoint.safetensors.tmp'"], full.Lines);
    }

    [Fact]
    public void A_failure_inside_a_parallel_loop_counts_as_what_it_wraps()
    {
        var (code, lines, _) = Run(new AggregateException(new UserInputException("Labels file 'y.npy' has label -1 at 3.")));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal(["former: Labels file 'y.npy' has label -1 at 3."], lines);
    }

    [Fact]
    public void A_parse_error_is_exit_2_and_success_writes_nothing()
    {
        var (code, lines, _) = Run(null, "--no-such-option");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("former: ", Assert.Single(lines));

        var ok = Run(null);
        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        Assert.Empty(ok.Lines);
    }

    [Fact]
    public void A_message_over_300_characters_is_cut_at_a_clause_with_an_ellipsis()
    {
        string keys = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"'blocks.{i}.weight'"));
        var (code, lines, _) = Run(new UserInputException($"The weights do not fit the model: size mismatch for {keys}."));
        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(lines);
        Assert.True(line.Length <= "former: ".Length + CommandRunner.MaxMessageLength, $"{line.Length} characters");
        Assert.EndsWith("'…", line);
        Assert.StartsWith("former: The weights do not fit the model: size mismatch for 'blocks.0.weight'", line);
    }

    [Fact]
    public void Dotnets_parameter_suffix_is_dropped()
    {
        var (_, lines, _) = Run(new UserInputException(new ArgumentException("The data set spec 'x' is unknown.", "spec").Message));
        Assert.Equal(["former: The data set spec 'x' is unknown."], lines);
    }
}
