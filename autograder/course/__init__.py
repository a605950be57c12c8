"""nbgrader courses: the folder layout, collecting downloads, the gradebook, releases, feedback and exports."""
