//! Synthetic demo data: realistic but invented cases of a Lucca immigration desk (names as printed in
//! passports, weighted like the province's non-EU residents, permits mixed as at a real counter, step
//! histories over about three years), deterministic from a seed, for demos and benchmarks. It owns the
//! generator and the bulk `fill`, which writes through the real `validate`, `cases` and `steps` code so
//! that a generator bug fails loudly instead of storing data the app would refuse. It must not be used
//! for real applicants' data, and the only storage shortcut it takes (relaxed durability while filling a
//! demo folder) is undone before `fill` returns.
//!
//! Every name, document number and code here is invented: any resemblance to a real person is chance.

use chrono::{Datelike, NaiveDate, TimeDelta};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::clock::Clock;
use crate::error::Result;
use crate::model::{
    Address, Applicant, CaseData, HouseholdMember, IdDocument, Permit, Request, StepDetails,
    StepInput,
};
use crate::reference::codice_fiscale;
use crate::reference::Reference;
use crate::register::{cases, steps, validate, Register};

/// Cases written per transaction by `fill`.
pub const BATCH: usize = 5_000;
/// How far back the generated cases start, in days.
pub const SPAN_DAYS: i64 = 3 * 365;

/// A name pool and the traits of one community (a nationality, or a language group within it).
struct Group {
    iso3: &'static str,
    /// Relative share among applicants.
    weight: u32,
    /// Language for the papers.
    language: &'static str,
    surnames: &'static [&'static str],
    /// Surnames only women carry (Kaur, Akter, Begum…); empty when women draw from `surnames`.
    female_surnames: &'static [&'static str],
    /// Two surnames, as in Peru (paternal + maternal).
    double_surname: bool,
    male: &'static [&'static str],
    female: &'static [&'static str],
    /// Percent of people with a second given name.
    second_given: u32,
    /// A wife usually carries her husband's surname in the passport.
    wife_takes_surname: bool,
    cities: &'static [&'static str],
    /// Passport number: `@` a letter, `#` a digit, anything else literal.
    passport: &'static str,
    passport_years: i64,
    authority: &'static str,
}

const GROUPS: &[Group] = &[
    Group {
        iso3: "ALB",
        weight: 19,
        language: "sq",
        surnames: &[
            "Hoxha",
            "Shehu",
            "Dervishi",
            "Kola",
            "Leka",
            "Çela",
            "Gjergji",
            "Hysa",
            "Muça",
            "Lika",
            "Kaja",
            "Bala",
            "Prifti",
            "Kurti",
            "Rama",
            "Berisha",
            "Marku",
            "Gjoka",
            "Basha",
            "Duka",
            "Xhafa",
            "Meta",
            "Ndreu",
            "Zeneli",
            "Hasani",
            "Murati",
            "Tafaj",
            "Bregu",
            "Ramaj",
            "Gjini",
            "Cani",
            "Çuni",
            "Sulaj",
            "Lleshi",
            "Dedja",
            "Malaj",
            "Kraja",
            "Topalli",
            "Hoxhaj",
            "Mema",
            "Përmeti",
            "Qosja",
            "Bajraktari",
            "Deliu",
            "Gjonaj",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Arben", "Besnik", "Dritan", "Ilir", "Gentian", "Ermal", "Fatmir", "Gëzim", "Artan",
            "Klodian", "Altin", "Erion", "Edmond", "Florian", "Kujtim", "Sokol", "Agron", "Bledar",
            "Elton", "Mariglen", "Endrit", "Ardit", "Jetmir", "Luan", "Blerim", "Genci", "Ervin",
        ],
        female: &[
            "Elira", "Mirela", "Anila", "Blerina", "Etleva", "Valbona", "Dorina", "Fatjona",
            "Manjola", "Elona", "Entela", "Ermira", "Jonida", "Klodiana", "Lindita", "Merita",
            "Rovena", "Suela", "Alketa", "Brunilda", "Eriselda", "Jola", "Gëzime", "Arjola",
            "Xhensila",
        ],
        second_given: 5,
        wife_takes_surname: true,
        cities: &[
            "Tirana",
            "Durrës",
            "Elbasan",
            "Shkodër",
            "Vlorë",
            "Fier",
            "Korçë",
            "Berat",
            "Lushnjë",
            "Kavajë",
            "Lezhë",
            "Kukës",
            "Gjirokastër",
            "Pogradec",
        ],
        passport: "@@#######",
        passport_years: 10,
        authority: "Ministria e Brendshme",
    },
    Group {
        iso3: "LKA",
        weight: 13,
        language: "si",
        surnames: &[
            "Perera",
            "Fernando",
            "Silva",
            "De Silva",
            "Jayasinghe",
            "Wickramasinghe",
            "Rajapaksa",
            "Dissanayake",
            "Bandara",
            "Gunawardena",
            "Herath",
            "Jayawardena",
            "Kumara",
            "Rathnayake",
            "Senanayake",
            "Wijesinghe",
            "Peiris",
            "Mendis",
            "Costa",
            "Warnakulasuriya Fernando",
            "Kuruppu",
            "Ranasinghe",
            "Liyanage",
            "Abeysekara",
            "Weerasinghe",
            "Karunaratne",
            "Samarasinghe",
            "Wijeratne",
            "Pathirana",
            "Gamage",
            "Appuhamy",
            "Ekanayake",
            "Kuruppu Arachchige",
            "Munasinghe",
            "Seneviratne",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Kasun", "Chaminda", "Nimal", "Tharindu", "Sampath", "Ruwan", "Nuwan", "Lasantha",
            "Pradeep", "Dinesh", "Mahesh", "Asanka", "Chathura", "Sanjeewa", "Roshan", "Dilshan",
            "Upul", "Saman", "Kamal", "Sunil", "Anura", "Janaka", "Prasanna", "Thilak", "Buddhika",
        ],
        female: &[
            "Dilani",
            "Chamari",
            "Nadeesha",
            "Sanduni",
            "Shashika",
            "Kumari",
            "Nirosha",
            "Thilini",
            "Dilrukshi",
            "Iresha",
            "Madhavi",
            "Sandya",
            "Anusha",
            "Hiruni",
            "Nilmini",
            "Priyanka",
            "Malani",
            "Sewwandi",
            "Chathurika",
            "Ishara",
            "Lakmini",
        ],
        second_given: 60,
        wife_takes_surname: true,
        cities: &[
            "Colombo",
            "Negombo",
            "Kandy",
            "Galle",
            "Kurunegala",
            "Chilaw",
            "Wennappuwa",
            "Marawila",
            "Kochchikade",
            "Gampaha",
            "Matara",
            "Puttalam",
            "Ja-Ela",
        ],
        passport: "N#######",
        passport_years: 10,
        authority: "Department of Immigration and Emigration",
    },
    Group {
        iso3: "LKA",
        weight: 3,
        language: "ta",
        surnames: &[
            "Sivakumar",
            "Rajendran",
            "Thambirajah",
            "Selvarajah",
            "Kanagaratnam",
            "Nadarajah",
            "Balasubramaniam",
            "Sritharan",
            "Yogarajah",
            "Tharmalingam",
            "Ponnambalam",
            "Sivanesan",
            "Kandiah",
            "Arumugam",
            "Velupillai",
            "Mahendran",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Suresh",
            "Ganesh",
            "Kannan",
            "Murugan",
            "Rajan",
            "Prakash",
            "Thiru",
            "Senthil",
            "Jeyakumar",
            "Sathees",
            "Vino",
            "Kajan",
            "Niroshan",
            "Ramesh",
        ],
        female: &[
            "Kavitha",
            "Lakshmi",
            "Tharshini",
            "Vani",
            "Kalaivani",
            "Nirmala",
            "Jeyanthi",
            "Sumathi",
            "Thushanthi",
            "Mathivathani",
            "Geetha",
        ],
        second_given: 10,
        wife_takes_surname: true,
        cities: &[
            "Jaffna",
            "Batticaloa",
            "Trincomalee",
            "Vavuniya",
            "Colombo",
            "Point Pedro",
        ],
        passport: "N#######",
        passport_years: 10,
        authority: "Department of Immigration and Emigration",
    },
    Group {
        iso3: "MAR",
        weight: 16,
        language: "ar",
        surnames: &[
            "El Amrani",
            "Benali",
            "Ouali",
            "Bakkali",
            "El Idrissi",
            "Alaoui",
            "Bennani",
            "Tazi",
            "El Fassi",
            "Chakir",
            "Berrada",
            "Ait Taleb",
            "El Mansouri",
            "Zouhair",
            "Lahlou",
            "Haddad",
            "Ouazzani",
            "Benjelloun",
            "El Khatib",
            "Rami",
            "Amrani",
            "Bouzid",
            "Essaidi",
            "Naciri",
            "El Ouardi",
            "Boukhari",
            "Moujahid",
            "Ait Ouarab",
            "Belhaj",
            "Kharbouch",
            "Zerouali",
            "El Hamdaoui",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Mohamed",
            "Mohammed",
            "Youssef",
            "Abdelkader",
            "Rachid",
            "Hassan",
            "Said",
            "Mustapha",
            "Abdellah",
            "Khalid",
            "Hicham",
            "Nabil",
            "Omar",
            "Brahim",
            "Ayoub",
            "Anas",
            "Abdelaziz",
            "Karim",
            "Jamal",
            "Driss",
            "Aziz",
            "Mehdi",
            "Soufiane",
        ],
        female: &[
            "Fatima Zahra",
            "Khadija",
            "Fatima",
            "Naima",
            "Malika",
            "Latifa",
            "Samira",
            "Hanane",
            "Rachida",
            "Zineb",
            "Imane",
            "Salma",
            "Nadia",
            "Karima",
            "Hafsa",
            "Meryem",
            "Souad",
            "Btissam",
            "Loubna",
            "Houda",
            "Aïcha",
        ],
        second_given: 3,
        wife_takes_surname: false,
        cities: &[
            "Casablanca",
            "Khouribga",
            "Béni Mellal",
            "Fès",
            "Rabat",
            "Marrakech",
            "Tanger",
            "Kénitra",
            "Oujda",
            "Meknès",
            "El Jadida",
            "Settat",
            "Fquih Ben Salah",
            "Agadir",
        ],
        passport: "@@#######",
        passport_years: 5,
        authority: "Royaume du Maroc",
    },
    Group {
        iso3: "UKR",
        weight: 7,
        language: "uk",
        surnames: &[
            "Kovalenko",
            "Shevchenko",
            "Bondarenko",
            "Tkachenko",
            "Kravchenko",
            "Melnyk",
            "Boiko",
            "Oliinyk",
            "Koval",
            "Polishchuk",
            "Lysenko",
            "Moroz",
            "Savchenko",
            "Rudenko",
            "Marchenko",
            "Petrenko",
            "Klymenko",
            "Pavlenko",
            "Kovalchuk",
            "Ponomarenko",
            "Levchenko",
            "Kharchenko",
            "Hnatiuk",
            "Tkachuk",
            "Romaniuk",
            "Kuzmenko",
            "Sydorenko",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Oleksandr",
            "Andrii",
            "Serhii",
            "Volodymyr",
            "Mykola",
            "Ivan",
            "Dmytro",
            "Yurii",
            "Vasyl",
            "Taras",
            "Bohdan",
            "Oleh",
            "Viktor",
            "Petro",
            "Maksym",
            "Roman",
            "Ihor",
        ],
        female: &[
            "Olena",
            "Iryna",
            "Nataliia",
            "Tetiana",
            "Oksana",
            "Svitlana",
            "Halyna",
            "Liudmyla",
            "Mariia",
            "Yuliia",
            "Kateryna",
            "Nadiia",
            "Valentyna",
            "Larysa",
            "Anastasiia",
            "Olha",
        ],
        second_given: 0,
        wife_takes_surname: true,
        cities: &[
            "Kyiv",
            "Lviv",
            "Kharkiv",
            "Odesa",
            "Ternopil",
            "Ivano-Frankivsk",
            "Chernivtsi",
            "Dnipro",
            "Zaporizhzhia",
            "Vinnytsia",
            "Lutsk",
            "Rivne",
            "Khmelnytskyi",
        ],
        passport: "@@######",
        passport_years: 10,
        authority: "4601",
    },
    Group {
        iso3: "CHN",
        weight: 5,
        language: "zh",
        surnames: &[
            "Wang", "Li", "Zhang", "Chen", "Hu", "Zhou", "Liu", "Yang", "Huang", "Zhao", "Wu",
            "Xu", "Sun", "Zhu", "Ye", "Lin", "Pan", "Jin", "Ji", "Xia", "Dong", "Ying", "Lu",
            "Zheng", "Xie", "Ma",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Xiaoming", "Wei", "Jing", "Lei", "Jun", "Hao", "Yong", "Jianguo", "Jianhua", "Zhiwei",
            "Xiaodong", "Ming", "Qiang", "Bin", "Feng", "Tao", "Jianping", "Chengzhi", "Zhiqiang",
            "Haibo", "Weidong",
        ],
        female: &[
            "Jing", "Li", "Xiaohong", "Yan", "Hui", "Xiaoyan", "Lina", "Mei", "Fang", "Ying",
            "Xiuying", "Lili", "Yuyan", "Qian", "Min", "Xiaoli", "Yuqing", "Jiayi", "Lihua",
        ],
        second_given: 0,
        wife_takes_surname: false,
        cities: &[
            "Wenzhou", "Qingtian", "Fuqing", "Wencheng", "Ruian", "Lishui", "Shanghai", "Hangzhou",
            "Fuzhou", "Sanming",
        ],
        passport: "E########",
        passport_years: 10,
        authority: "National Immigration Administration PRC",
    },
    Group {
        iso3: "PAK",
        weight: 6,
        language: "ur",
        surnames: &[
            "Khan", "Ahmed", "Hussain", "Malik", "Iqbal", "Ali", "Butt", "Chaudhry", "Shah",
            "Raza", "Javed", "Akhtar", "Aslam", "Mahmood", "Rehman", "Bashir", "Nawaz", "Riaz",
            "Anwar", "Abbas", "Sharif", "Qureshi", "Mirza", "Rana", "Gondal", "Cheema", "Bajwa",
        ],
        female_surnames: &["Bibi", "Begum", "Kausar", "Parveen"],
        double_surname: false,
        male: &[
            "Muhammad",
            "Imran",
            "Asif",
            "Kashif",
            "Usman",
            "Bilal",
            "Faisal",
            "Zeeshan",
            "Adnan",
            "Shahid",
            "Tariq",
            "Waqas",
            "Naveed",
            "Amir",
            "Umar",
            "Hamza",
            "Sajid",
            "Ali Raza",
            "Muhammad Asif",
            "Muhammad Imran",
            "Ghulam Abbas",
        ],
        female: &[
            "Ayesha", "Fatima", "Sana", "Nadia", "Saima", "Rabia", "Amna", "Shazia", "Hina",
            "Sadia", "Bushra", "Maryam", "Iqra", "Zainab", "Nasreen",
        ],
        second_given: 20,
        wife_takes_surname: false,
        cities: &[
            "Lahore",
            "Gujrat",
            "Sialkot",
            "Karachi",
            "Rawalpindi",
            "Mandi Bahauddin",
            "Faisalabad",
            "Gujranwala",
            "Jhelum",
            "Kharian",
            "Islamabad",
        ],
        passport: "@@#######",
        passport_years: 10,
        authority: "Directorate General of Immigration and Passports",
    },
    Group {
        iso3: "BGD",
        weight: 5,
        language: "bn",
        surnames: &[
            "Rahman",
            "Hossain",
            "Islam",
            "Uddin",
            "Ahmed",
            "Miah",
            "Khan",
            "Chowdhury",
            "Sarker",
            "Alam",
            "Haque",
            "Mia",
            "Sheikh",
            "Biswas",
            "Das",
            "Roy",
            "Mondal",
            "Talukder",
            "Bhuiyan",
            "Molla",
            "Hasan",
            "Kabir",
            "Karim",
            "Howlader",
        ],
        female_surnames: &["Akter", "Begum", "Khatun", "Sultana", "Akhter"],
        double_surname: false,
        male: &[
            "Mohammad",
            "Md Rafiqul",
            "Abdul",
            "Shahidul",
            "Mizanur",
            "Kamrul",
            "Jahangir",
            "Habibur",
            "Saiful",
            "Rashed",
            "Sohel",
            "Rubel",
            "Masud",
            "Shamim",
            "Rakib",
            "Sumon",
            "Md Alamgir",
            "Md Shahin",
            "Anwar",
        ],
        female: &[
            "Nasrin", "Shirin", "Rina", "Taslima", "Fatema", "Rokeya", "Shammi", "Moushumi",
            "Jesmin", "Salma", "Parvin", "Ruma", "Sharmin", "Lipi",
        ],
        second_given: 10,
        wife_takes_surname: false,
        cities: &[
            "Dhaka",
            "Sylhet",
            "Cumilla",
            "Noakhali",
            "Madaripur",
            "Shariatpur",
            "Chattogram",
            "Faridpur",
            "Munshiganj",
            "Gopalganj",
        ],
        passport: "@@#######",
        passport_years: 10,
        authority: "Department of Immigration and Passports",
    },
    Group {
        iso3: "SEN",
        weight: 5,
        language: "fr",
        surnames: &[
            "Diop", "Ndiaye", "Fall", "Sow", "Sarr", "Diallo", "Ba", "Gueye", "Faye", "Mbaye",
            "Seck", "Cissé", "Thiam", "Niang", "Diouf", "Kane", "Ndao", "Mbodj", "Sy", "Touré",
            "Dieng", "Sène", "Badji", "Camara", "Lô", "Wade",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Mamadou",
            "Moussa",
            "Ibrahima",
            "Cheikh",
            "Abdoulaye",
            "Modou",
            "Ousmane",
            "Amadou",
            "Babacar",
            "Serigne",
            "Mor",
            "Pape",
            "Aliou",
            "Malick",
            "Lamine",
            "Saliou",
            "Alioune",
            "Assane",
            "El Hadji",
            "Mouhamed",
        ],
        female: &[
            "Fatou",
            "Aminata",
            "Awa",
            "Mariama",
            "Aïssatou",
            "Khady",
            "Coumba",
            "Ndeye",
            "Adama",
            "Astou",
            "Rokhaya",
            "Sokhna",
            "Bineta",
            "Dieynaba",
        ],
        second_given: 15,
        wife_takes_surname: false,
        cities: &[
            "Dakar",
            "Thiès",
            "Touba",
            "Louga",
            "Kaolack",
            "Saint-Louis",
            "Diourbel",
            "Mbour",
            "Ziguinchor",
            "Tivaouane",
            "Pikine",
        ],
        passport: "A########",
        passport_years: 5,
        authority: "Direction de l'Automatisation des Fichiers",
    },
    Group {
        iso3: "NGA",
        weight: 4,
        language: "en",
        surnames: &[
            "Okafor",
            "Adeyemi",
            "Okonkwo",
            "Eze",
            "Obi",
            "Nwosu",
            "Adebayo",
            "Ogunleye",
            "Ibrahim",
            "Bello",
            "Osagie",
            "Igbinosa",
            "Omoregie",
            "Uwaifo",
            "Okoro",
            "Chukwu",
            "Nwachukwu",
            "Oyelaran",
            "Edosa",
            "Osaro",
            "Aigbe",
            "Ehigiator",
            "Iyamu",
            "Idahosa",
            "Ogbebor",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Chinedu",
            "Emeka",
            "Oluwaseun",
            "Tunde",
            "Osas",
            "Osaze",
            "Efosa",
            "Uche",
            "Ikenna",
            "Chukwuemeka",
            "Segun",
            "Kelechi",
            "Godwin",
            "Friday",
            "Sunday",
            "Eghosa",
            "Samuel",
            "Daniel",
            "Victor",
        ],
        female: &[
            "Blessing",
            "Precious",
            "Joy",
            "Favour",
            "Esther",
            "Gift",
            "Osarumen",
            "Ngozi",
            "Chioma",
            "Adaeze",
            "Funmilayo",
            "Omosede",
            "Faith",
            "Mercy",
            "Peace",
        ],
        second_given: 35,
        wife_takes_surname: true,
        cities: &[
            "Lagos",
            "Benin City",
            "Ibadan",
            "Enugu",
            "Abuja",
            "Port Harcourt",
            "Onitsha",
            "Owerri",
            "Warri",
            "Kano",
            "Ekpoma",
        ],
        passport: "A########",
        passport_years: 10,
        authority: "Nigeria Immigration Service",
    },
    Group {
        iso3: "TUN",
        weight: 4,
        language: "ar",
        surnames: &[
            "Ben Ali",
            "Trabelsi",
            "Gharbi",
            "Hammami",
            "Jebali",
            "Ben Salah",
            "Bouazizi",
            "Mejri",
            "Ayari",
            "Sassi",
            "Khelifi",
            "Dridi",
            "Chaabane",
            "Mabrouk",
            "Jlassi",
            "Haddad",
            "Ben Amor",
            "Zouari",
            "Tlili",
            "Rezgui",
            "Mansouri",
            "Hamdi",
            "Ben Youssef",
            "Ferchichi",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Mohamed Ali",
            "Ahmed",
            "Walid",
            "Karim",
            "Sami",
            "Hamza",
            "Bilel",
            "Aymen",
            "Anis",
            "Nizar",
            "Sofiene",
            "Houssem",
            "Mehdi",
            "Slim",
            "Mohamed",
            "Fathi",
            "Riadh",
        ],
        female: &[
            "Amira", "Ines", "Sonia", "Rim", "Nesrine", "Sana", "Hela", "Olfa", "Mouna", "Yosra",
            "Wafa", "Asma", "Sabrine",
        ],
        second_given: 5,
        wife_takes_surname: false,
        cities: &[
            "Tunis",
            "Sfax",
            "Sousse",
            "Monastir",
            "Mahdia",
            "Bizerte",
            "Kairouan",
            "Gabès",
            "Nabeul",
            "Kasserine",
        ],
        passport: "@######",
        passport_years: 5,
        authority: "Ministère de l'Intérieur",
    },
    Group {
        iso3: "IND",
        weight: 3,
        language: "pa",
        surnames: &[
            "Singh", "Singh", "Singh", "Gill", "Sandhu", "Dhillon", "Sidhu", "Grewal", "Brar",
            "Randhawa", "Bains", "Virk", "Mann", "Sohal",
        ],
        female_surnames: &["Kaur"],
        double_surname: false,
        male: &[
            "Gurpreet",
            "Harpreet",
            "Jaswinder",
            "Manpreet",
            "Sukhwinder",
            "Baljit",
            "Kulwinder",
            "Amarjit",
            "Paramjit",
            "Harjinder",
            "Lakhwinder",
            "Ravinder",
            "Jasvir",
            "Gurdeep",
        ],
        female: &[
            "Harpreet",
            "Manpreet",
            "Jaspreet",
            "Simranjit",
            "Rajwinder",
            "Kulwant",
            "Navneet",
            "Sandeep",
            "Amandeep",
            "Gurwinder",
            "Sukhjeet",
        ],
        second_given: 0,
        wife_takes_surname: false,
        cities: &[
            "Jalandhar",
            "Amritsar",
            "Ludhiana",
            "Patiala",
            "Kapurthala",
            "Hoshiarpur",
            "Moga",
            "Bathinda",
        ],
        passport: "@#######",
        passport_years: 10,
        authority: "Regional Passport Office",
    },
    Group {
        iso3: "IND",
        weight: 1,
        language: "hi",
        surnames: &[
            "Kumar", "Sharma", "Verma", "Gupta", "Yadav", "Patel", "Mishra", "Pandey", "Chauhan",
            "Joshi", "Reddy", "Nair", "Iyer",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Rahul", "Amit", "Rajesh", "Sanjay", "Vijay", "Anil", "Sunil", "Deepak", "Manoj",
            "Ravi", "Arjun",
        ],
        female: &[
            "Priya", "Pooja", "Sunita", "Anita", "Neha", "Kavita", "Rekha", "Meena", "Divya",
            "Anjali",
        ],
        second_given: 10,
        wife_takes_surname: true,
        cities: &[
            "New Delhi",
            "Mumbai",
            "Kolkata",
            "Lucknow",
            "Jaipur",
            "Chennai",
            "Kochi",
        ],
        passport: "@#######",
        passport_years: 10,
        authority: "Regional Passport Office",
    },
    Group {
        iso3: "MDA",
        weight: 3,
        language: "ro",
        surnames: &[
            "Rusu", "Ceban", "Ciobanu", "Țurcanu", "Cojocaru", "Popa", "Lungu", "Rotari",
            "Munteanu", "Moraru", "Sârbu", "Bivol", "Melnic", "Cebotari", "Guțu", "Botnari",
            "Railean", "Croitoru", "Grosu", "Balan", "Stratan", "Vrabie", "Lupu", "Bălan",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Ion",
            "Vasile",
            "Andrei",
            "Sergiu",
            "Nicolae",
            "Gheorghe",
            "Alexandru",
            "Vitalie",
            "Igor",
            "Dumitru",
            "Mihai",
            "Victor",
            "Ștefan",
            "Vladimir",
        ],
        female: &[
            "Maria",
            "Elena",
            "Ana",
            "Natalia",
            "Tatiana",
            "Svetlana",
            "Olga",
            "Ludmila",
            "Cristina",
            "Irina",
            "Mariana",
            "Nadejda",
            "Valentina",
            "Doina",
            "Corina",
        ],
        second_given: 5,
        wife_takes_surname: true,
        cities: &[
            "Chișinău",
            "Bălți",
            "Orhei",
            "Cahul",
            "Ungheni",
            "Soroca",
            "Comrat",
            "Hîncești",
        ],
        passport: "@@#######",
        passport_years: 7,
        authority: "ASP",
    },
    Group {
        iso3: "PHL",
        weight: 2,
        language: "en",
        surnames: &[
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Ocampo",
            "Garcia",
            "Mendoza",
            "Torres",
            "Tomas",
            "Andrada",
            "Castillo",
            "Flores",
            "Villanueva",
            "Ramos",
            "Castro",
            "Rivera",
            "Aquino",
            "Navarro",
            "Salazar",
            "Mercado",
            "Dela Cruz",
            "De Guzman",
            "Pascual",
            "Manalo",
        ],
        female_surnames: &[],
        double_surname: false,
        male: &[
            "Jose",
            "Juan",
            "Mark",
            "John Paul",
            "Jerome",
            "Rommel",
            "Ariel",
            "Reynaldo",
            "Eduardo",
            "Rodel",
            "Jomar",
            "Christian",
            "Noel",
            "Ronaldo",
        ],
        female: &[
            "Maria Cristina",
            "Maricel",
            "Rowena",
            "Marites",
            "Jocelyn",
            "Lorna",
            "Analyn",
            "Rosalie",
            "Jennifer",
            "Mary Grace",
            "Lovely",
            "Ma. Theresa",
            "Girlie",
            "Rubylyn",
        ],
        second_given: 10,
        wife_takes_surname: true,
        cities: &[
            "Manila",
            "Quezon City",
            "Batangas",
            "Cebu City",
            "Iloilo City",
            "Davao City",
            "Lipa",
            "Pangasinan",
            "Tarlac",
        ],
        passport: "P#######@",
        passport_years: 10,
        authority: "DFA Manila",
    },
    Group {
        iso3: "PER",
        weight: 2,
        language: "es",
        surnames: &[
            "Quispe",
            "Flores",
            "García",
            "Huamán",
            "Mamani",
            "Rodríguez",
            "Sánchez",
            "Rojas",
            "Chávez",
            "Ramírez",
            "Torres",
            "Vásquez",
            "Díaz",
            "Mendoza",
            "Castillo",
            "Gutiérrez",
            "Espinoza",
            "Ñahui",
            "Condori",
            "Ccori",
            "Paredes",
            "Vargas",
            "Muñoz",
            "Peña",
        ],
        female_surnames: &[],
        double_surname: true,
        male: &[
            "José Luis",
            "Juan Carlos",
            "Luis Alberto",
            "Jorge",
            "Carlos",
            "César",
            "Miguel Ángel",
            "Víctor",
            "Raúl",
            "Wilmer",
            "Edwin",
            "Jesús",
        ],
        female: &[
            "María Elena",
            "Rosa",
            "Carmen",
            "Ana María",
            "Luz",
            "Gladys",
            "Milagros",
            "Yesenia",
            "Sonia",
            "Elizabeth",
            "Flor",
            "Maribel",
        ],
        second_given: 0,
        wife_takes_surname: false,
        cities: &[
            "Lima", "Arequipa", "Cusco", "Trujillo", "Chiclayo", "Huancayo", "Callao", "Piura",
        ],
        passport: "1########",
        passport_years: 5,
        authority: "Superintendencia Nacional de Migraciones",
    },
];

/// Comuni of the province where applicants live: name, CAP, weight, streets.
const COMUNI: &[(&str, &str, u32, &[&str])] = &[
    (
        "Lucca",
        "55100",
        50,
        &[
            "Via Fillungo",
            "Via del Moro",
            "Viale Carducci",
            "Via Pisana",
            "Via di Tiglio",
            "Via Sarzanese",
            "Viale San Concordio",
            "Via Romana",
            "Via Borgo Giannotti",
            "Via per Camaiore",
            "Via Vecchia Pesciatina",
            "Via Elisa",
            "Via del Fosso",
            "Viale Giacomo Puccini",
            "Via di Sant'Alessio",
            "Via Nuova per Pisa",
            "Via Ingrillini",
            "Piazza San Michele",
            "Via Santa Croce",
            "Via dei Borghi",
            "Via Guidiccioni",
            "Viale Europa",
            "Via Luporini",
            "Via delle Tagliate",
        ],
    ),
    (
        "Capannori",
        "55012",
        18,
        &[
            "Via Romana",
            "Via del Popolo",
            "Piazza Aldo Moro",
            "Via Pesciatina",
            "Via di Sottomonte",
            "Via Carlo Piaggia",
            "Via della Madonnina",
            "Via Don Minzoni",
        ],
    ),
    (
        "Altopascio",
        "55011",
        10,
        &[
            "Via Cavour",
            "Via Roma",
            "Piazza Garibaldi",
            "Via Marconi",
            "Via Bientinese",
            "Via Fucecchiese",
            "Via Mammianese",
        ],
    ),
    (
        "Porcari",
        "55016",
        7,
        &[
            "Via Roma",
            "Via Catalani",
            "Via Puccini",
            "Via Diaccio",
            "Via Cavanella",
            "Via Sbarra",
        ],
    ),
    (
        "Viareggio",
        "55049",
        15,
        &[
            "Via Coppino",
            "Via Aurelia Nord",
            "Viale dei Tigli",
            "Via Zanardelli",
            "Via Mazzini",
            "Via Fratti",
            "Via Burlamacchi",
            "Via Regia",
            "Via Leonardo da Vinci",
            "Via Garibaldi",
        ],
    ),
];

/// Request motivo and its share of cases.
const MOTIVI: &[(&str, u32)] = &[
    ("16", 400),
    ("13", 140),
    ("09", 100),
    ("15", 50),
    ("24", 40),
    ("31", 10),
    ("05", 40),
    ("04", 40),
    ("07", 30),
    ("12", 30),
    ("10", 30),
    ("17", 10),
    ("18", 10),
    ("Q-PROT-SPEC", 20),
    ("Q-FAM-ITA", 15),
    ("Q-PROT-SUSS", 8),
    ("Q-CURE", 3),
];

const OPERATORS: &[&str] = &[
    "Giulia Lencioni",
    "Marco Pardini",
    "Sara Del Carlo",
    "Paolo Giannini",
    "Francesca Bertolucci",
    "Luca Martinelli",
];

const NOTES: &[&str] = &[
    "Manca la busta paga dell'ultimo mese.",
    "Portare il contratto di affitto registrato.",
    "Serve la mediatrice: fissare appuntamento di venerdì.",
    "Ha già chiesto il certificato di idoneità alloggiativa.",
    "Verificare il reddito minimo per il ricongiungimento.",
    "Contratto di lavoro in scadenza: portare la proroga.",
    "Moduli stampati nella lingua del richiedente.",
    "Richiede copia della ricevuta per il datore di lavoro.",
    "Passaporto in rinnovo presso il consolato.",
];

const REFERRALS: &[&str] = &[
    "Patronato INCA CGIL Lucca",
    "Patronato ACLI Lucca",
    "Questura di Lucca, Ufficio Immigrazione",
    "Prefettura di Lucca, Sportello Unico per l'Immigrazione",
    "Avvocato di fiducia",
    "Caritas diocesana di Lucca",
];

const CORRECTION_REASONS: &[&str] = &[
    "Data sbagliata",
    "Registrato sul fascicolo sbagliato",
    "Numero di assicurata trascritto male",
    "Passaggio registrato per errore",
];

const MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "hotmail.it",
    "libero.it",
    "yahoo.com",
    "outlook.com",
];

/// Belfiore code of the Comune di Lucca, for the children born there.
const LUCCA_BELFIORE: &str = "E715";

/// A step of a generated history, to be written through `steps::append` (or `steps::correct`).
/// Short-lived (one case's history at a time), so the unequal variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Record `step` with the clock at `recorded` (the step's own date may be earlier).
    Step {
        recorded: NaiveDate,
        step: StepInput,
    },
    /// Void the step just recorded.
    Correction { recorded: NaiveDate, reason: String },
}

/// One generated case: its data, the day it was opened, what happened afterwards and who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub created: NaiveDate,
    pub data: CaseData,
    pub history: Vec<Planned>,
    pub operator: &'static str,
}

/// The generator: a seeded random source over the reference tables.
pub struct Generator<'a> {
    rng: SmallRng,
    reference: &'a Reference,
    group_total: u32,
    motivo_total: u32,
    comune_total: u32,
}

impl<'a> Generator<'a> {
    pub fn new(reference: &'a Reference, seed: u64) -> Self {
        Generator {
            rng: SmallRng::seed_from_u64(seed),
            reference,
            group_total: GROUPS.iter().map(|g| g.weight).sum(),
            motivo_total: MOTIVI.iter().map(|m| m.1).sum(),
            comune_total: COMUNI.iter().map(|c| c.2).sum(),
        }
    }

    fn pct(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn days(&mut self, range: std::ops::RangeInclusive<i64>) -> TimeDelta {
        TimeDelta::days(self.rng.random_range(range))
    }

    fn group(&mut self) -> &'static Group {
        let mut n = self.rng.random_range(0..self.group_total);
        for g in GROUPS {
            if n < g.weight {
                return g;
            }
            n -= g.weight;
        }
        unreachable!("weights sum to the total")
    }

    fn pattern(&mut self, pattern: &str) -> String {
        pattern
            .chars()
            .map(|c| match c {
                '@' => (b'A' + self.rng.random_range(0..26u8)) as char,
                '#' => (b'0' + self.rng.random_range(0..10u8)) as char,
                other => other,
            })
            .collect()
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| (b'0' + self.rng.random_range(0..10u8)) as char)
            .collect()
    }

    fn surname(&mut self, g: &Group, female: bool) -> String {
        if female && !g.female_surnames.is_empty() {
            return self.pick(g.female_surnames).to_string();
        }
        let first = self.pick(g.surnames);
        if g.double_surname && self.pct(90) {
            let second = self.pick(g.surnames);
            if second != first {
                return format!("{first} {second}");
            }
        }
        first.to_string()
    }

    fn given(&mut self, g: &Group, female: bool) -> String {
        let pool = if female { g.female } else { g.male };
        let first = self.pick(pool);
        if self.pct(g.second_given) {
            let second = self.pick(pool);
            if second != first && !first.contains(' ') {
                return format!("{first} {second}");
            }
        }
        first.to_string()
    }

    /// Birth date for someone `age` years old on `on` (any day of that year of age).
    fn born(&mut self, on: NaiveDate, age: i64) -> NaiveDate {
        let base = on
            .with_year(on.year() - age as i32)
            .unwrap_or_else(|| on - TimeDelta::days(age * 365));
        base - self.days(1..=364)
    }

    fn adult_age(&mut self) -> i64 {
        match self.rng.random_range(0..100) {
            0..25 => self.rng.random_range(18..30),
            25..70 => self.rng.random_range(30..45),
            70..93 => self.rng.random_range(45..60),
            _ => self.rng.random_range(60..71),
        }
    }

    fn permit_number(&mut self) -> String {
        format!("I{}", self.digits(8))
    }

    /// A whole case opened on `created`, with what happened up to `today`.
    pub fn case(&mut self, created: NaiveDate, today: NaiveDate) -> Generated {
        let data = self.data(created);
        let operator = self.pick(OPERATORS);
        let history = self.history(&data, created, today);
        Generated {
            created,
            data,
            history,
            operator,
        }
    }

    /// The case's data as the operator would type it on `created`.
    pub fn data(&mut self, created: NaiveDate) -> CaseData {
        let g = self.group();
        let female = self.pct(44);
        let sex = if self.rng.random_range(0..5000) == 0 {
            "X"
        } else if female {
            "F"
        } else {
            "M"
        };
        let age = self.adult_age();
        let birth = self.born(created, age);
        let surname = self.surname(g, female);
        let given_names = self.given(g, female);

        let (motivo_code, procedure) = self.request(created);
        let protection = motivo_code == "07" || motivo_code.starts_with("Q-PROT");

        // Household: about 40 % come with a spouse and/or children.
        let mut household = Vec::new();
        if self.pct(40) {
            let married = self.pct(85);
            let mut spouse_surname = None;
            if married {
                let sg = if self.pct(92) { g } else { self.group() };
                let spouse_female = !female;
                let s_surname = if g.wife_takes_surname && std::ptr::eq(sg, g) {
                    if female {
                        // The applicant already carries the husband's surname.
                        surname.clone()
                    } else if self.pct(85) && sg.female_surnames.is_empty() {
                        surname.clone()
                    } else {
                        self.surname(sg, true)
                    }
                } else {
                    self.surname(sg, spouse_female)
                };
                let spouse_age = (age + self.rng.random_range(-6..=8)).clamp(18, 80);
                let citizenship = if self.pct(4) { "ROU" } else { sg.iso3 };
                let sb = self.born(created, spouse_age);
                let s_given = self.given(sg, spouse_female);
                let s_sex = if spouse_female { "F" } else { "M" };
                let cf = if self.pct(70) {
                    let z = self.z_code(citizenship);
                    codice_fiscale::compute(&s_surname, &s_given, spouse_female, sb, &z)
                } else {
                    String::new()
                };
                household.push(HouseholdMember {
                    relation: "spouse".into(),
                    surname: s_surname.clone(),
                    given_names: s_given,
                    sex: s_sex.into(),
                    birth_date: iso(sb),
                    citizenship: citizenship.into(),
                    codice_fiscale: cf,
                });
                spouse_surname = Some(s_surname);
            }
            let children = match (married, self.rng.random_range(0..100)) {
                (true, 0..15) => 0,
                (true, 15..50) | (false, 0..60) => 1,
                (true, 50..85) | (false, _) => 2,
                _ => 3,
            };
            // The father's surname goes to the children.
            let father_surname = if female {
                spouse_surname.clone().unwrap_or_else(|| surname.clone())
            } else {
                surname.clone()
            };
            let max_child_age = (age - 19).clamp(0, 24);
            for _ in 0..children {
                let child_female = self.pct(50);
                let child_age = self.rng.random_range(0..=max_child_age);
                let cb = self.born(created, child_age);
                let c_surname = if child_female && !g.female_surnames.is_empty() {
                    self.pick(g.female_surnames).to_string()
                } else if !child_female && g.female_surnames == ["Kaur"] {
                    "Singh".to_string()
                } else if g.double_surname {
                    // Peru: the father's first surname, then the mother's first surname.
                    let mother = if female {
                        &surname
                    } else {
                        spouse_surname.as_ref().unwrap_or(&surname)
                    };
                    let first = father_surname.split(' ').next().unwrap_or("");
                    let second = mother.split(' ').next().unwrap_or("");
                    if first == second {
                        first.to_string()
                    } else {
                        format!("{first} {second}")
                    }
                } else {
                    father_surname.clone()
                };
                let c_given = self.given(g, child_female);
                // Young children are often born in Lucca (codice fiscale with the comune's code).
                let cf = if self.pct(65) {
                    let place = if child_age < 10 && self.pct(60) {
                        LUCCA_BELFIORE.to_string()
                    } else {
                        self.z_code(g.iso3)
                    };
                    codice_fiscale::compute(&c_surname, &c_given, child_female, cb, &place)
                } else {
                    String::new()
                };
                household.push(HouseholdMember {
                    relation: "child".into(),
                    surname: c_surname,
                    given_names: c_given,
                    sex: if child_female { "F" } else { "M" }.into(),
                    birth_date: iso(cb),
                    citizenship: g.iso3.into(),
                    codice_fiscale: cf,
                });
            }
            if self.pct(4) {
                let parent_female = self.pct(60);
                let parent_age = (age + self.rng.random_range(20..32)).min(95);
                let pb = self.born(created, parent_age);
                let p_surname = if parent_female {
                    self.surname(g, true)
                } else {
                    surname.clone()
                };
                let p_given = self.given(g, parent_female);
                household.push(HouseholdMember {
                    relation: "parent".into(),
                    surname: p_surname,
                    given_names: p_given,
                    sex: if parent_female { "F" } else { "M" }.into(),
                    birth_date: iso(pb),
                    citizenship: g.iso3.into(),
                    codice_fiscale: String::new(),
                });
            }
        }

        let codice_fiscale = if sex != "X" && self.pct(70) {
            let z = self.z_code(g.iso3);
            codice_fiscale::compute(&surname, &given_names, female, birth, &z)
        } else {
            String::new()
        };

        // Passport, issued within its validity so it is still valid on the day of the case.
        let validity = g.passport_years * 365;
        let mut issued = created - self.days(20..=validity - 40);
        let adult = birth
            .with_year(birth.year() + 16)
            .unwrap_or(birth + TimeDelta::days(16 * 365));
        if issued < adult {
            issued = created - self.days(20..=300);
        }
        let expires = issued
            .with_year(issued.year() + g.passport_years as i32)
            .unwrap_or(issued + TimeDelta::days(validity))
            - TimeDelta::days(1);
        let travel_document = protection && self.pct(60);
        let document = IdDocument {
            kind: if travel_document {
                "travel_document"
            } else {
                "passport"
            }
            .into(),
            number: if travel_document {
                format!("LU{}", self.digits(6))
            } else {
                self.pattern(g.passport)
            },
            authority: if travel_document {
                "Questura di Lucca".into()
            } else {
                g.authority.into()
            },
            issue_date: iso(issued),
            expiry_date: iso(expires),
        };

        let phone = if self.pct(97) {
            if self.pct(80) {
                format!(
                    "+39 3{}{} {}",
                    self.rng.random_range(2..=9),
                    self.digits(1),
                    self.digits(7)
                )
            } else {
                format!(
                    "3{}{} {} {}",
                    self.rng.random_range(2..=9),
                    self.digits(1),
                    self.digits(3),
                    self.digits(4)
                )
            }
        } else {
            String::new()
        };
        let email = if self.pct(35) {
            let local = |s: &str| {
                crate::reference::text::fold(s)
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            let n = self.rng.random_range(1..100);
            let domain = self.pick(MAIL_DOMAINS);
            format!("{}.{}{n}@{domain}", local(&given_names), local(&surname))
        } else {
            String::new()
        };
        let address = if self.pct(95) {
            let mut n = self.rng.random_range(0..self.comune_total);
            let mut chosen = COMUNI[0];
            for c in COMUNI {
                if n < c.2 {
                    chosen = *c;
                    break;
                }
                n -= c.2;
            }
            let house = self.rng.random_range(1..220);
            let house_number = match self.rng.random_range(0..20) {
                0 => format!("{house}/A"),
                1 => format!("{house}B"),
                2 => format!("{house}/2"),
                _ => house.to_string(),
            };
            Address {
                street: self.pick(chosen.3).into(),
                house_number,
                postcode: chosen.1.into(),
                comune: chosen.0.into(),
                province: "LU".into(),
            }
        } else {
            Address::default()
        };
        let language = match self.rng.random_range(0..100) {
            0..8 => "it",
            8..11 => "en",
            _ => g.language,
        };

        let current_permit = self.current_permit(&motivo_code, &procedure, created);
        let notes = if self.pct(15) {
            self.pick(NOTES).to_string()
        } else {
            String::new()
        };
        CaseData {
            applicant: Applicant {
                surname,
                given_names,
                sex: sex.into(),
                birth_date: iso(birth),
                birth_place: self.pick(g.cities).into(),
                birth_country: g.iso3.into(),
                citizenships: vec![g.iso3.into()],
                codice_fiscale,
                document,
                phone,
                email,
                address,
                language: language.into(),
            },
            household,
            current_permit,
            request: Request {
                procedure,
                motivo_code,
            },
            notes,
        }
    }

    fn z_code(&self, iso3: &str) -> String {
        self.reference
            .country(iso3)
            .and_then(|c| c.z_code.clone())
            .expect("generated countries have a Z code")
    }

    /// `(motivo, procedure)` of the request, in force on `created`.
    fn request(&mut self, created: NaiveDate) -> (String, String) {
        let mut n = self.rng.random_range(0..self.motivo_total);
        let mut code = "16";
        for (c, w) in MOTIVI {
            if n < *w {
                code = c;
                break;
            }
            n -= w;
        }
        let r = self.rng.random_range(0..100);
        let procedure = match code {
            "04" => "aggiornamento",
            "07" => "rinnovo",
            "10" => "conversione",
            "12" => "duplicato",
            "16" if r < 90 => "rinnovo",
            "13" if r < 70 => "rinnovo",
            "09" if r < 20 => "rinnovo",
            "15" if r < 85 => "rinnovo",
            "24" | "31" if r < 80 => "rinnovo",
            "05" => "rinnovo",
            "17" if r < 70 => "rinnovo",
            "18" if r < 50 => "rinnovo",
            c if c.starts_with("Q-") && r < 65 => "rinnovo",
            _ => "rilascio",
        };
        let ok = self
            .reference
            .motivo(code)
            .is_some_and(|m| m.valid_on(created) && m.allows(procedure));
        if ok {
            (code.into(), procedure.into())
        } else {
            ("16".into(), "rinnovo".into())
        }
    }

    /// The permit held when the case is opened (empty for most first issues).
    fn current_permit(&mut self, motivo: &str, procedure: &str, created: NaiveDate) -> Permit {
        let (code, expiry) = match procedure {
            "rinnovo" => {
                let held = match motivo {
                    "05" => "16",
                    "31" => "24",
                    other => other,
                };
                (held, created + self.days(-60..=75))
            }
            "conversione" => {
                let held = self.pick(&["24", "24", "24", "13", "14", "18"]);
                (held, created + self.days(-30..=120))
            }
            "duplicato" | "aggiornamento" => {
                let held = self.pick(&["16", "16", "13", "09", "15", "24"]);
                (held, created + self.days(30..=700))
            }
            _ if motivo == "09" && self.pct(90) => {
                let held = self.pick(&["16", "16", "16", "13", "13", "15"]);
                (held, created + self.days(-30..=300))
            }
            _ => return Permit::default(),
        };
        let number = if self.pct(85) {
            self.permit_number()
        } else {
            String::new()
        };
        Permit {
            motivo_code: code.into(),
            number,
            expiry_date: iso(expiry),
        }
    }

    /// What happened to the case from `created` up to `today`, in order.
    pub fn history(
        &mut self,
        data: &CaseData,
        created: NaiveDate,
        today: NaiveDate,
    ) -> Vec<Planned> {
        let mut out = Vec::new();
        let motivo = &data.request.motivo_code;
        let questura = self
            .reference
            .motivo(motivo)
            .is_some_and(|m| m.channel == "questura");
        // A few cases stall (papers never brought back) and stay open.
        let stall_at = if self.pct(4) {
            Some(self.rng.random_range(1..4usize))
        } else {
            None
        };
        let mut last = created;
        let mut appointment: Option<NaiveDate> = None;
        let mut course: Vec<&'static str> = Vec::with_capacity(6);
        if self.pct(70) {
            course.push("documents_pending");
        }
        course.push("ready_to_send");
        if !questura {
            course.push("kit_sent");
        }
        course.extend(["questura_appointment", "permit_ready", "collected"]);
        for (i, kind) in course.into_iter().enumerate() {
            if stall_at == Some(i + 1) {
                break;
            }
            // Now and then a case ends another way.
            let end = match self.rng.random_range(0..1000) {
                0..6 => Some("withdrawn"),
                6..11 => Some("referred"),
                11..14 => Some("closed"),
                _ => None,
            };
            if let Some(end) = end {
                let date = last + self.days(0..=20);
                if date <= today {
                    let mut step = StepInput {
                        kind: end.into(),
                        date: iso(date),
                        ..StepInput::default()
                    };
                    if end == "referred" {
                        step.details.referred_to = self.pick(REFERRALS).into();
                    }
                    out.push(Planned::Step {
                        recorded: date,
                        step,
                    });
                }
                return out;
            }
            let mut details = StepDetails::default();
            let date = match kind {
                "documents_pending" => last + self.days(0..=3),
                "ready_to_send" => last + self.days(2..=25),
                "kit_sent" => {
                    details.assicurata = self.digits(12);
                    last + self.days(0..=7)
                }
                "questura_appointment" => {
                    let d = last + self.days(7..=45);
                    let day = d + self.days(20..=120);
                    appointment = Some(day);
                    details.appointment_date = iso(day);
                    details.appointment_time = format!(
                        "{:02}:{:02}",
                        self.rng.random_range(8..13),
                        self.pick(&[0, 10, 20, 30, 40, 50])
                    );
                    d
                }
                "permit_ready" => appointment.unwrap_or(last) + self.days(15..=90),
                _ => {
                    let d = last + self.days(1..=30);
                    details.issued_permit = self.issued(data, d);
                    d
                }
            };
            if date > today {
                break;
            }
            let note = if self.pct(3) {
                "Telefonato al richiedente.".into()
            } else {
                String::new()
            };
            let step = StepInput {
                kind: kind.into(),
                date: iso(date),
                details,
                note,
            };
            out.push(Planned::Step {
                recorded: date,
                step: step.clone(),
            });
            // About one step in 250 is recorded by mistake (wrong day, wrong number) and corrected:
            // roughly 2 % of cases carry a correction.
            if self.rng.random_range(0..1000) < 4 {
                let fixed = date + self.days(0..=3);
                if fixed <= today {
                    out.push(Planned::Correction {
                        recorded: fixed,
                        reason: self.pick(CORRECTION_REASONS).into(),
                    });
                    let mut again = step;
                    if kind == "kit_sent" {
                        again.details.assicurata = self.digits(12);
                    }
                    out.push(Planned::Step {
                        recorded: fixed,
                        step: again,
                    });
                }
            }
            last = date;
        }
        out
    }

    /// The permit handed over at collection on `on`.
    fn issued(&mut self, data: &CaseData, on: NaiveDate) -> Permit {
        let requested = data.request.motivo_code.as_str();
        let held = data.current_permit.motivo_code.as_str();
        let code = match (data.request.procedure.as_str(), requested) {
            ("duplicato" | "aggiornamento", _) if !held.is_empty() => held.to_string(),
            ("conversione", _) => self.pick(&["16", "16", "16", "15", "13"]).to_string(),
            _ => requested.to_string(),
        };
        let expiry = if matches!(
            data.request.procedure.as_str(),
            "duplicato" | "aggiornamento"
        ) && !data.current_permit.expiry_date.is_empty()
        {
            data.current_permit.expiry_date.clone()
        } else {
            let years = match code.as_str() {
                "09" => 10,
                "07" | "Q-PROT-SUSS" => 5,
                "24" | "31" | "05" | "18" | "Q-CURE" => 1,
                _ => 2,
            };
            iso(on
                .with_year(on.year() + years)
                .unwrap_or(on + TimeDelta::days(365 * years as i64)))
        };
        Permit {
            motivo_code: code,
            number: self.permit_number(),
            expiry_date: expiry,
        }
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Consonants and vowels of a name, upper-case ASCII, in order (accents dropped: `Çela` → `CL`, `EA`).
/// Writes `count` generated cases into `register`, opened over the past `SPAN_DAYS` days up to
/// `today` in date order, each validated with the real validators and written through `cases::insert`
/// and `steps::append`/`steps::correct`, `BATCH` cases per transaction. `progress` is called after
/// each batch with the number of cases written so far.
///
/// Demo-data shortcut: while filling, the connection runs with `synchronous = OFF` and a 256 MiB page
/// cache (a power cut mid-fill may lose the demo folder, which is simply seeded again); both are
/// restored to the values found before returning, so the app's own writes keep `synchronous = FULL`.
pub fn fill(
    register: &mut Register,
    count: usize,
    seed: u64,
    today: NaiveDate,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let reference = register.reference().clone();
    let operators: Vec<String> = OPERATORS
        .iter()
        .map(|o| validate::operator(o, &reference, today))
        .collect::<Result<_>>()?;
    let conn = register.store().conn();
    let synchronous: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -262_144)?;
    let result = fill_batches(
        register,
        &reference,
        &operators,
        count,
        seed,
        today,
        &mut progress,
    );
    let conn = register.store().conn();
    conn.pragma_update(None, "cache_size", cache_size)?;
    conn.pragma_update(None, "synchronous", synchronous)?;
    result
}

fn fill_batches(
    register: &mut Register,
    reference: &Reference,
    operators: &[String],
    count: usize,
    seed: u64,
    today: NaiveDate,
    progress: &mut impl FnMut(usize),
) -> Result<()> {
    let mut generator = Generator::new(reference, seed);
    let start = today - TimeDelta::days(SPAN_DAYS);
    let mut done = 0;
    while done < count {
        let end = (done + BATCH).min(count);
        register.store_mut().write(|tx| {
            for i in done..end {
                let created = opening_day(start, today, i, count);
                let g = generator.case(created, today);
                let operator = operators
                    .iter()
                    .find(|o| o.as_str() == g.operator)
                    .expect("operator list");
                let data = validate::case(&g.data, reference, created)?;
                let id = cases::insert(tx, &data, None, None, &Clock::at(created), operator)?;
                for planned in &g.history {
                    match planned {
                        Planned::Step { recorded, step } => {
                            let step = validate::step(step, reference, *recorded)?;
                            steps::append(tx, id, &step, &Clock::at(*recorded), operator)?;
                        }
                        Planned::Correction { recorded, reason } => {
                            let reason = validate::correction_reason(reason, reference, *recorded)?;
                            let step_id: i64 = tx.query_row(
                                "SELECT max(id) FROM steps WHERE case_id = ?1",
                                [id],
                                |r| r.get(0),
                            )?;
                            steps::correct(
                                tx,
                                id,
                                step_id,
                                &reason,
                                &Clock::at(*recorded),
                                operator,
                            )?;
                        }
                    }
                }
            }
            Ok(())
        })?;
        done = end;
        progress(done);
    }
    Ok(())
}

/// The day case `i` of `count` is opened: spread evenly from `start` to `today`, weekends moved to
/// the nearest working day (never past `today`).
fn opening_day(start: NaiveDate, today: NaiveDate, i: usize, count: usize) -> NaiveDate {
    let span = (today - start).num_days();
    let offset = (i as i128 * span as i128 / count.max(1) as i128) as i64;
    let day = start + TimeDelta::days(offset);
    let day = match day.weekday() {
        chrono::Weekday::Sat => day - TimeDelta::days(1),
        chrono::Weekday::Sun => day + TimeDelta::days(1),
        _ => day,
    };
    day.min(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Filing;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn same_seed_same_cases_other_seed_other_cases() {
        let reference = Reference::bundled().unwrap();
        let run = |seed| {
            let mut g = Generator::new(&reference, seed);
            (0..200)
                .map(|i| {
                    g.case(
                        opening_day(today() - TimeDelta::days(SPAN_DAYS), today(), i, 200),
                        today(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7), "a seed must always give the same demo data");
        assert_ne!(run(7), run(8), "another seed must give other data");
    }

    #[test]
    fn every_generated_case_is_valid_and_stored() {
        let mut register = Register::in_memory().unwrap();
        let mut calls = Vec::new();
        fill(&mut register, 2_000, 42, today(), |n| calls.push(n)).unwrap();
        assert_eq!(calls, vec![2_000], "one batch, reported once");
        let conn = register.store().conn();
        let (cases, statuses): (i64, i64) = conn
            .query_row(
                "SELECT count(*), count(DISTINCT status) FROM cases",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(cases, 2_000);
        assert!(
            statuses >= 8,
            "histories reach most statuses, got {statuses}"
        );
        let corrections: i64 = conn
            .query_row(
                "SELECT count(*) FROM steps WHERE kind = 'correction'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(corrections > 0, "a few steps are corrected");
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "fill restores synchronous = FULL");
    }

    #[test]
    fn generated_codici_fiscali_pass_the_check() {
        assert_eq!(
            codice_fiscale::compute(
                "Hoxha",
                "Arben",
                false,
                NaiveDate::from_ymd_opt(1990, 4, 15).unwrap(),
                "Z100"
            ),
            "HXHRBN90D15Z100Z",
            "the brief's worked example"
        );
        let reference = Reference::bundled().unwrap();
        let mut g = Generator::new(&reference, 3);
        let mut seen = 0;
        for _ in 0..2_000 {
            let data = g.data(today());
            let codes = std::iter::once(&data.applicant.codice_fiscale)
                .chain(data.household.iter().map(|m| &m.codice_fiscale));
            for code in codes.filter(|c| !c.is_empty()) {
                assert_eq!(codice_fiscale::check(code), Ok(()), "{code}");
                seen += 1;
            }
        }
        assert!(seen > 1_000, "most applicants have a code ({seen})");
    }

    #[test]
    fn the_mix_holds_every_filing_class_and_accented_names() {
        let reference = Reference::bundled().unwrap();
        let mut g = Generator::new(&reference, 11);
        let mut filings = Vec::new();
        let mut accented = 0;
        let mut motivi = std::collections::HashSet::new();
        for _ in 0..3_000 {
            let data = g.data(today());
            for m in &data.household {
                filings.push(crate::register::cases::filing(&m.birth_date, today()));
            }
            if !data.applicant.surname.is_ascii() || !data.applicant.given_names.is_ascii() {
                accented += 1;
            }
            motivi.insert(data.request.motivo_code.clone());
        }
        for f in [
            Filing::OnParentApplication,
            Filing::OwnMinorPermit,
            Filing::OwnApplication,
        ] {
            assert!(filings.contains(&f), "{f:?} missing");
        }
        assert!(
            accented > 30,
            "accent-insensitive search needs accented names ({accented})"
        );
        assert!(motivi.len() >= 12, "a realistic permit mix ({motivi:?})");
    }
}
