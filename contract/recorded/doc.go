// Package recorded reads recorded HTTP traffic, HAR 1.2 archives and raw
// HTTP exchange files, as contract.Exchange values, and checks a file of
// it into a Report (CheckFile, CheckHAR): the engine of
// `linktoken check`.
//
// Every reader streams: it holds one exchange at a time (see recorded.go
// for the bounds), so a file of any size is read in bounded memory. Input a
// reader cannot use is an *InputError naming the file and the place.
package recorded
