//go:build !race

package recorded_test

const raceEnabled = false
