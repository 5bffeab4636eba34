using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;

namespace Atmos.Plugins.Tests.Engine;

/// <summary>A plugin's file step survives the plan unchanged: what Execute gets is what Plan returned.</summary>
public sealed class StepDataTests
{
    [Theory]
    [InlineData(CredentialClass.Session)]
    [InlineData(CredentialClass.LongLived)]
    public void A_file_step_comes_back_from_the_plan_exactly_as_the_plugin_planned_it(CredentialClass credentialClass)
    {
        var planned = new FileStep
        {
            Action = "clear-sso-cache",
            Principals = ["aws-sso", "dev-admin"],
            Target = "/home/u/.aws/sso/cache/",
            Paths = ["/home/u/.aws/sso/cache/a.json", "/home/u/.aws/sso/cache/b.json"],
            Note = "SSO token cache",
            Class = credentialClass,
            Arguments = new Dictionary<string, string> { ["start_urls"] = "https://a\nhttps://b", ["stamps"] = "12 34\n56 78" },
        };

        var back = StepData.ForFiles("aws", planned).ToFileStep();

        Assert.Equal(planned.Action, back.Action);
        Assert.Equal(planned.Principals, back.Principals);
        Assert.Equal(planned.Target, back.Target);
        Assert.Equal(planned.Paths, back.Paths);
        Assert.Equal(planned.Note, back.Note);
        Assert.Equal(planned.Class, back.Class);
        Assert.Equal(planned.Arguments.OrderBy(a => a.Key), back.Arguments.OrderBy(a => a.Key));
        Assert.Equal(7, typeof(FileStep).GetProperties().Length); // a new FileStep property must be carried above
    }

    [Fact]
    public void A_step_of_unknown_class_is_never_handed_to_a_plugin_as_a_session_step()
    {
        var step = StepData.ForFiles("aws", new FileStep { Action = "a", Principals = ["p"], Target = "/t" }) with { Class = StepClass.Unknown };

        Assert.Throws<InvalidOperationException>(step.ToFileStep);
    }
}
