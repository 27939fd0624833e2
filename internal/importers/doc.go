// Package importers holds no code: its tests look at this module the way
// another module that imports it does (the requirements a go mod tidy
// gives it, the package documentation go doc shows it), so that what the
// module's own development needs never reaches them.
package importers
