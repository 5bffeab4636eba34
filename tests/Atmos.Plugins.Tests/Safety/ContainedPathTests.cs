using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Tests.Support;

namespace Atmos.Plugins.Tests.Safety;

public sealed class ContainedPathTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("dev-admin", null)]
    [InlineData("prod_admin.eu", null)]
    [InlineData("../evil", "contains a path separator ('/' or '\\')")]
    [InlineData("..", "contains '..'")]
    [InlineData("a..b", "contains '..'")]
    [InlineData(".hidden", "starts with '.'")]
    [InlineData("a/b", "contains a path separator ('/' or '\\')")]
    [InlineData("a\\b", "contains a path separator ('/' or '\\')")]
    [InlineData("nul\0byte", "contains a NUL byte")]
    [InlineData("tab\there", "contains a control character")]
    [InlineData("", "is empty")]
    [InlineData(" padded", "has leading or trailing white space")]
    public void Names_are_checked(string name, string? problem)
    {
        Assert.Equal(problem is null, ContainedPath.IsSafeName(name, out var actual));
        Assert.Equal(problem, actual);
    }

    [Fact]
    public void Delete_removes_a_tree_without_following_links_inside_it()
    {
        var outside = Path.Join(_home.Root, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Join(outside, "keep"), "x");
        _home.Write("base/p/credentials", "[a]\n");
        Directory.CreateSymbolicLink(_home.PathOf("base/p/link-to-outside"), outside);

        Assert.True(ContainedPath.Delete(_home.PathOf("base"), _home.PathOf("base/p")));

        Assert.False(Directory.Exists(_home.PathOf("base/p")));
        Assert.Equal("x", File.ReadAllText(Path.Join(outside, "keep")));
        Assert.False(ContainedPath.Delete(_home.PathOf("base"), _home.PathOf("base/p")));
    }

    [Fact]
    public void Delete_refuses_paths_outside_the_base_and_paths_under_a_link()
    {
        _home.Write("base/p/credentials", "x");
        Directory.CreateSymbolicLink(_home.PathOf("base/linked"), _home.PathOf("base/p"));

        Assert.Throws<UnsafePathException>(() => ContainedPath.Delete(_home.PathOf("base"), _home.PathOf("other")));
        Assert.Throws<UnsafePathException>(() => ContainedPath.Delete(_home.PathOf("base"), _home.PathOf("base/../other")));
        Assert.Throws<UnsafePathException>(() => ContainedPath.Delete(_home.PathOf("base"), _home.PathOf("base")));
        Assert.Throws<UnsafePathException>(() => ContainedPath.Delete(_home.PathOf("base"), _home.PathOf("base/linked/credentials")));
        Assert.True(File.Exists(_home.PathOf("base/p/credentials")));
    }

    [Fact]
    public void RemoveIfEmpty_removes_only_empty_folders()
    {
        _home.Write("base/full/f", "x");
        Directory.CreateDirectory(_home.PathOf("base/empty"));

        Assert.False(ContainedPath.RemoveIfEmpty(_home.PathOf("base"), _home.PathOf("base/full")));
        Assert.True(ContainedPath.RemoveIfEmpty(_home.PathOf("base"), _home.PathOf("base/empty")));
        Assert.True(Directory.Exists(_home.PathOf("base/full")));
        Assert.False(Directory.Exists(_home.PathOf("base/empty")));
    }
}
