"""Built-in problem plugins, registered through the gadesign.problems entry points."""
